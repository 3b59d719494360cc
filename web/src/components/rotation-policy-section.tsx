import { useState, type ReactNode } from 'react';
import { request } from '../api/client';
import type { ClientView } from '../api/types';
import { formatDate } from '../lib/format';
import { describeRotationPolicy, relativeDue } from '../lib/rotation-policy-words';
import { RotationDueBadge } from './badge';
import { ConfirmDialog } from './dialog';
import { Section } from './page';
import { RotationPolicyDialog } from './rotation-policy-dialog';

/**
 * A client's scheduled rotation (SPEC §12): the policy in words, the next due date and whether it has
 * passed; members with credentials.manage set, change or remove it. Not for the portal key account,
 * which only registration rotates.
 */
export function RotationPolicySection({
  client,
  canManage,
  onChanged,
}: {
  client: ClientView;
  canManage: boolean;
  onChanged: (client: ClientView) => void;
}): ReactNode {
  // A fresh form each time the dialog opens, starting from the policy as it is now.
  const [formKey, setFormKey] = useState(0);
  const [dialog, setDialog] = useState<'edit' | 'remove' | undefined>(undefined);
  const policy = client.rotationPolicy;
  const close = (): void => setDialog(undefined);

  return (
    <Section
      title="Scheduled rotation"
      actions={
        canManage ? (
          <>
            <button
              type="button"
              className="button"
              onClick={() => {
                setFormKey((key) => key + 1);
                setDialog('edit');
              }}
            >
              {policy ? 'Change rotation policy' : 'Set rotation policy'}
            </button>
            {policy && (
              <button type="button" className="button button-danger-quiet" onClick={() => setDialog('remove')}>
                Remove rotation policy
              </button>
            )}
          </>
        ) : undefined
      }
    >
      {policy ? (
        <>
          {client.rotationDue && (
            <p className="notice notice-warn">
              <RotationDueBadge client={client} />{' '}
              {policy.mode === 'auto'
                ? 'The secret is past its due date: Rekey rotates it on its next pass, or, after a failure, at the next attempt the history shows.'
                : 'The secret is past its due date: regenerate it (and update whatever uses it) to start a new period.'}
            </p>
          )}
          <dl className="facts">
            <div>
              <dt>Policy</dt>
              <dd>{describeRotationPolicy(policy)}</dd>
            </div>
            <div>
              <dt>Next due</dt>
              <dd>
                {client.rotationDueAt ? (
                  <>
                    <time dateTime={client.rotationDueAt}>{formatDate(client.rotationDueAt)}</time> (
                    {relativeDue(client.rotationDueAt, Date.now())}) {client.rotationDue && <RotationDueBadge client={client} />}
                  </>
                ) : (
                  'When the client has a current secret again'
                )}
              </dd>
            </div>
          </dl>
        </>
      ) : (
        <p className="empty">
          No scheduled rotation: this client's secret is replaced only when someone regenerates it.
          {canManage && ' Set a policy to have Rekey rotate it, or remind the administrators, every so many days.'}
        </p>
      )}

      {canManage && (
        <RotationPolicyDialog
          key={formKey}
          client={client}
          open={dialog === 'edit'}
          onCancel={close}
          onSaved={(saved) => {
            close();
            onChanged(saved);
          }}
        />
      )}
      {canManage && (
        <ConfirmDialog
          open={dialog === 'remove'}
          title="Remove scheduled rotation"
          onCancel={close}
          isDanger
          onConfirm={async () => {
            const saved = await request('delete', '/v1/clients/{id}/rotation-policy', { path: { id: client.id } });
            close();
            onChanged(saved);
          }}
        >
          <p>
            Remove the scheduled rotation of <strong className="target">{client.name}</strong> (<code>{client.id}</code>)? Rekey stops
            rotating it and warning about it; its secret stays as it is. The rotation history is kept.
          </p>
        </ConfirmDialog>
      )}
    </Section>
  );
}
