import { useState, type ReactNode } from 'react';
import { newIdempotencyKey, request, type ResponseOf } from '../api/client';
import type { ClientView, VersionView } from '../api/types';
import { ConfirmDialog } from './dialog';
import { Impact } from './impact';

export type RegenerateResult = ResponseOf<'post', '/v1/clients/{id}/regenerate'>;
export type ResetResult = ResponseOf<'post', '/v1/clients/{id}/reset'>;

const GRACE_CHOICES = [
  { seconds: 0, label: 'Stop accepting the old secret now' },
  { seconds: 600, label: 'Keep it working for 10 minutes' },
  { seconds: 3600, label: 'Keep it working for 1 hour' },
  { seconds: 86_400, label: 'Keep it working for 1 day' },
  { seconds: 604_800, label: 'Keep it working for 7 days' },
];

export function GraceChoice({ value, onChange, name }: { value: number; onChange: (seconds: number) => void; name: string }): ReactNode {
  return (
    <fieldset className="fieldset fieldset-compact">
      <legend>Grace period for the old secret</legend>
      {GRACE_CHOICES.map((choice) => (
        <div key={choice.seconds} className="field field-check">
          <input
            id={`${name}-${choice.seconds}`}
            type="radio"
            name={name}
            checked={value === choice.seconds}
            onChange={() => onChange(choice.seconds)}
          />
          <label htmlFor={`${name}-${choice.seconds}`}>{choice.label}</label>
        </div>
      ))}
    </fieldset>
  );
}

/**
 * Regenerate (apikey, integrator) and Renew (oauth, seed 004): names the client, offers a grace
 * period where the seed allows one, and shows what it will break before anything happens.
 */
export function RegenerateDialog({
  client,
  open,
  onDone,
  onCancel,
}: {
  client: ClientView;
  open: boolean;
  onDone: (result: RegenerateResult) => void;
  onCancel: () => void;
}): ReactNode {
  const [graceSeconds, setGraceSeconds] = useState(0);
  const [revokeIssuedTokens, setRevokeIssuedTokens] = useState(false);
  const isRenew = client.profile === 'oauth';
  const confirm = async (): Promise<void> => {
    const result = await request('post', '/v1/clients/{id}/regenerate', {
      path: { id: client.id },
      body: { graceSeconds: isRenew ? 0 : graceSeconds, ...(isRenew && revokeIssuedTokens ? { revokeIssuedTokens: true } : {}) },
      idempotencyKey: newIdempotencyKey(),
    });
    onDone(result);
  };
  const title = isRenew ? 'Renew Client Application' : client.profile === 'apikey' ? 'Regenerate API Key Secret' : 'Regenerate secret';
  return (
    <ConfirmDialog open={open} title={title} onConfirm={confirm} onCancel={onCancel} isDanger>
      {isRenew ? (
        <p>
          Are you sure you want to renew client application <strong className="target">[{client.id}]</strong>? Renewing these credentials
          invalidates API credentials currently in use by other platforms. Please confirm this action.
        </p>
      ) : (
        <p>
          Generate a new secret for <strong className="target">{client.name}</strong> (<code>{client.id}</code>)? The{' '}
          {client.profile === 'apikey' ? 'API Key ID' : 'client ID'} stays the same.
        </p>
      )}
      {isRenew ? (
        <div className="field field-check">
          <input
            id="renew-revoke-tokens"
            type="checkbox"
            checked={revokeIssuedTokens}
            onChange={(event) => setRevokeIssuedTokens(event.target.checked)}
          />
          <label htmlFor="renew-revoke-tokens">Also revoke access tokens issued with the current secret</label>
        </div>
      ) : (
        <GraceChoice value={graceSeconds} onChange={setGraceSeconds} name={`grace-${client.id}`} />
      )}
      <Impact client={client} action="regenerate" graceSeconds={isRenew ? 0 : graceSeconds} />
    </ConfirmDialog>
  );
}

/** Seed 000: "a popup message asking if you are sure you want to reset the credentials" — OK / Cancel. */
export function ResetDialog({
  client,
  open,
  onDone,
  onCancel,
}: {
  client: ClientView;
  open: boolean;
  onDone: (result: ResetResult) => void;
  onCancel: () => void;
}): ReactNode {
  const confirm = async (): Promise<void> => {
    onDone(await request('post', '/v1/clients/{id}/reset', { path: { id: client.id }, body: {}, idempotencyKey: newIdempotencyKey() }));
  };
  return (
    <ConfirmDialog
      open={open}
      title="Reset Credentials"
      confirmLabel="OK"
      cancelLabel="Cancel"
      onConfirm={confirm}
      onCancel={onCancel}
      isDanger
    >
      <p>
        Are you sure you want to reset the credentials of <strong className="target">{client.name}</strong> (<code>{client.id}</code>)? A
        new consumer key and consumer secret replace the current ones, which stop working at once.
      </p>
      <Impact client={client} action="reset" />
    </ConfirmDialog>
  );
}

export function DeleteClientDialog({
  client,
  open,
  onDone,
  onCancel,
}: {
  client: ClientView;
  open: boolean;
  onDone: () => void;
  onCancel: () => void;
}): ReactNode {
  const confirm = async (): Promise<void> => {
    await request('delete', '/v1/clients/{id}', { path: { id: client.id } });
    onDone();
  };
  return (
    <ConfirmDialog
      open={open}
      title={client.profile === 'oauth' ? 'Delete Client Application' : `Delete ${client.name}`}
      onConfirm={confirm}
      onCancel={onCancel}
      isDanger
    >
      <p>
        Delete <strong className="target">{client.name}</strong> (<code>{client.id}</code>)? Every secret version
        {client.profile === 'tba' ? ' and token' : ''} is revoked at once and cannot be restored; the record stays, marked deleted, for the
        audit trail.
      </p>
      <Impact client={client} action="delete" />
    </ConfirmDialog>
  );
}

export function RevokeVersionDialog({
  client,
  version,
  onDone,
  onCancel,
}: {
  client: ClientView;
  version: VersionView | undefined;
  onDone: () => void;
  onCancel: () => void;
}): ReactNode {
  const confirm = async (): Promise<void> => {
    if (!version) return;
    await request('post', '/v1/clients/{id}/versions/{versionId}/revoke', {
      path: { id: client.id, versionId: version.versionId },
      body: {},
    });
    onDone();
  };
  const isInUse = version?.state === 'current' || version?.state === 'previous';
  return (
    <ConfirmDialog open={version !== undefined} title="Revoke secret version" onConfirm={confirm} onCancel={onCancel} isDanger>
      {version && (
        <>
          <p>
            Revoke version <code className="target">{version.versionId}</code> ({version.state}) of <strong>{client.name}</strong>? It is
            refused from now on with <code>revoked</code>, and signed URLs made with it stop verifying.
          </p>
          {isInUse && version.state === 'current' && (
            <p className="notice notice-warn">
              This is the current version: {client.name} will have no working secret until you regenerate it.
            </p>
          )}
          {version.lastUsedAt && <p className="muted">Last used {new Date(version.lastUsedAt).toLocaleString()}.</p>}
        </>
      )}
    </ConfirmDialog>
  );
}
