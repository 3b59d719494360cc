import nodemailer from 'nodemailer';
import { messageIdOf, type OutboxMessage } from '../core/notify/index.js';

export const SMTP_TIMEOUT_MS = 10_000;

export interface EmailSender {
  /** Resolves once the SMTP server accepted the message; rejects otherwise. */
  send(message: OutboxMessage): Promise<void>;
  close(): void;
}

/**
 * Email through nodemailer to REKEY_SMTP_URL (`smtp://user:pass@host:port`, `smtps://…`; a `from`
 * query parameter sets the sender, default `rekey@<smtp host>`). Every message carries a Message-ID
 * derived from its outbox id, so a redelivery after a crash has the same one and receivers can drop
 * the duplicate.
 */
export function createEmailSender(smtpUrl: string): EmailSender {
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    throw new Error('REKEY_SMTP_URL must be a URL such as smtp://user:password@mail.example.com:587.');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new Error('REKEY_SMTP_URL must start with smtp:// or smtps://.');
  const from = url.searchParams.get('from') ?? `Rekey <rekey@${url.hostname || 'localhost'}>`;
  url.searchParams.delete('from');
  for (const name of ['connectionTimeout', 'greetingTimeout', 'socketTimeout']) {
    if (!url.searchParams.has(name)) url.searchParams.set(name, String(SMTP_TIMEOUT_MS));
  }
  const transport = nodemailer.createTransport(url.toString());
  return {
    async send(message) {
      const subject = typeof message.payload.subject === 'string' ? message.payload.subject : `Rekey: ${message.type}`;
      const text = typeof message.payload.text === 'string' ? message.payload.text : subject;
      await transport.sendMail({
        from,
        to: message.recipient,
        subject,
        text,
        messageId: messageIdOf(message.id),
        date: new Date(message.createdAt),
        headers: { 'X-Rekey-Event': message.type, 'X-Rekey-Account': message.accountId },
      });
    },
    close() {
      transport.close();
    },
  };
}
