import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { ApiError, request } from '../api/client';
import type { ClientView, RotationPolicyView } from '../api/types';
import { GRACE_UNITS, graceInWords, splitGrace, type GraceUnitSeconds } from '../lib/rotation-policy-words';
import { ConfirmDialog } from './dialog';

type Field = 'everyDays' | 'mode' | 'warnDays' | 'graceSeconds';
type FieldErrors = Partial<Record<Field, string>>;

const FIELDS: readonly Field[] = ['everyDays', 'mode', 'warnDays', 'graceSeconds'];

/** The problem document's `errors[]` by field, when every one of them names a field of this form. */
function fieldErrorsOf(error: unknown): FieldErrors | undefined {
  if (!(error instanceof ApiError) || error.status !== 400 || !error.problem.errors?.length) return undefined;
  const found: FieldErrors = {};
  for (const item of error.problem.errors) {
    const field = FIELDS.find((name) => item.pointer === `/${name}`);
    if (!field) return undefined;
    // The API counts grace in seconds; the form in days, hours or minutes.
    const message =
      field === 'graceSeconds'
        ? item.message.replace(/from 0 to (\d+)/, (text, most: string) => `${text} seconds (${graceInWords(Number(most))})`)
        : item.message;
    found[field] = found[field] ? `${found[field]} ${message}` : message;
  }
  return found;
}

function FieldError({ id, message }: { id: string; message: string | undefined }): ReactNode {
  return message ? (
    <p id={id} className="field-error">
      {message}
    </p>
  ) : null;
}

/** What a new policy starts from: a quarter, seven days' warning, a day of grace. */
function initialDraft(client: ClientView): RotationPolicyView {
  return (
    client.rotationPolicy ?? { everyDays: 90, warnDays: 7, graceSeconds: 86_400, mode: client.profile === 'apikey' ? 'auto' : 'notify' }
  );
}

/**
 * Sets or changes a client's scheduled rotation (PUT /v1/clients/{id}/rotation-policy). The server
 * is the judge of every value: its problem document's field errors are shown beside their fields and
 * the dialog stays open with nothing changed. `auto` is offered to key accounts only.
 */
export function RotationPolicyDialog({
  client,
  open,
  onCancel,
  onSaved,
}: {
  client: ClientView;
  open: boolean;
  onCancel: () => void;
  onSaved: (client: ClientView) => void;
}): ReactNode {
  const draft = initialDraft(client);
  const grace = splitGrace(draft.graceSeconds);
  const isKeyAccount = client.profile === 'apikey';
  const [everyDays, setEveryDays] = useState(String(draft.everyDays));
  const [warnDays, setWarnDays] = useState(String(draft.warnDays));
  const [mode, setMode] = useState<RotationPolicyView['mode']>(isKeyAccount ? draft.mode : 'notify');
  const [graceAmount, setGraceAmount] = useState(String(grace.amount));
  const [graceUnit, setGraceUnit] = useState<GraceUnitSeconds>(grace.unitSeconds);
  const [errors, setErrors] = useState<FieldErrors>({});
  const hasNewErrors = useRef(false);
  const base = useId();
  const id = (field: Field | `${Field}-hint` | `${Field}-error`): string => `${base}-${field}`;
  const describedBy = (field: Field, hasHint = true): string | undefined =>
    [hasHint ? id(`${field}-hint`) : '', errors[field] ? id(`${field}-error`) : ''].filter(Boolean).join(' ') || undefined;

  const confirm = async (): Promise<void> => {
    setErrors({});
    try {
      const saved = await request('put', '/v1/clients/{id}/rotation-policy', {
        path: { id: client.id },
        body: {
          everyDays: Number(everyDays),
          mode,
          ...(warnDays.trim() !== '' ? { warnDays: Number(warnDays) } : {}),
          ...(mode === 'auto' ? { graceSeconds: Number(graceAmount) * graceUnit } : {}),
        },
      });
      onSaved(saved);
    } catch (error) {
      const found = fieldErrorsOf(error);
      if (!found) throw error;
      hasNewErrors.current = true;
      setErrors(found);
    }
  };

  // A refused save takes the member to the first bad field, its message in view (the dialog's body scrolls).
  useEffect(() => {
    if (!hasNewErrors.current) return;
    hasNewErrors.current = false;
    const first = FIELDS.find((field) => errors[field]);
    if (!first) return;
    const input =
      first === 'mode'
        ? document.querySelector<HTMLElement>(`input[name="${base}-mode"]:checked`)
        : document.getElementById(`${base}-${first}`);
    input?.focus();
    document.getElementById(`${base}-${first}-error`)?.scrollIntoView({ block: 'nearest' });
  }, [errors, base]);

  return (
    <ConfirmDialog
      open={open}
      title={client.rotationPolicy ? 'Change scheduled rotation' : 'Schedule rotation'}
      confirmLabel="Save policy"
      cancelLabel="Cancel"
      onConfirm={confirm}
      onCancel={onCancel}
      isCancelFocused={false}
    >
      <p>
        Scheduled rotation of <strong className="target">{client.name}</strong> (<code>{client.id}</code>). The due date counts from when
        the current secret was issued, so an older secret can be due at once.
      </p>
      <div className="field">
        <label htmlFor={id('everyDays')}>Rotate every (days)</label>
        <input
          id={id('everyDays')}
          type="number"
          inputMode="numeric"
          min={1}
          required
          autoFocus
          value={everyDays}
          onChange={(event) => setEveryDays(event.target.value)}
          aria-invalid={errors.everyDays ? true : undefined}
          aria-describedby={describedBy('everyDays')}
        />
        <p id={id('everyDays-hint')} className="hint">
          Days from the issue of a secret to its due date; any regenerate starts the period again.
        </p>
        <FieldError id={id('everyDays-error')} message={errors.everyDays} />
      </div>
      <fieldset className="fieldset fieldset-compact" aria-describedby={errors.mode ? id('mode-error') : undefined}>
        <legend>On the due date</legend>
        {isKeyAccount ? (
          <>
            <div className="field field-check">
              <input
                id={`${id('mode')}-auto`}
                type="radio"
                name={id('mode')}
                checked={mode === 'auto'}
                onChange={() => setMode('auto')}
                aria-describedby={`${id('mode')}-auto-hint`}
              />
              <label htmlFor={`${id('mode')}-auto`}>Rotate automatically</label>
              <p id={`${id('mode')}-auto-hint`} className="hint">
                Rekey regenerates it, writes it into every app slot that holds it and redeploys those apps; the old secret works through the
                grace period.
              </p>
            </div>
            <div className="field field-check">
              <input
                id={`${id('mode')}-notify`}
                type="radio"
                name={id('mode')}
                checked={mode === 'notify'}
                onChange={() => setMode('notify')}
                aria-describedby={`${id('mode')}-notify-hint`}
              />
              <label htmlFor={`${id('mode')}-notify`}>Tell the administrators</label>
              <p id={`${id('mode')}-notify-hint`} className="hint">
                Rekey tells the administrators and marks the client Rotation due.
              </p>
            </div>
          </>
        ) : (
          <p className="hint">
            Rekey tells the administrators and marks the client Rotation due; someone regenerates it. Automatic rotation is for key
            accounts, whose apps Rekey can update.
          </p>
        )}
        <FieldError id={id('mode-error')} message={errors.mode} />
      </fieldset>
      <div className="field">
        <label htmlFor={id('warnDays')}>Warn before (days)</label>
        <input
          id={id('warnDays')}
          type="number"
          inputMode="numeric"
          min={0}
          value={warnDays}
          onChange={(event) => setWarnDays(event.target.value)}
          aria-invalid={errors.warnDays ? true : undefined}
          aria-describedby={describedBy('warnDays')}
        />
        <p id={id('warnDays-hint')} className="hint">
          The administrators hear this many days before the due date (0: no warning); fewer days than the period.
        </p>
        <FieldError id={id('warnDays-error')} message={errors.warnDays} />
      </div>
      {mode === 'auto' && (
        <fieldset className="fieldset fieldset-compact">
          <legend>Grace for the old secret</legend>
          <div className="form-row">
            <div className="field">
              <label htmlFor={id('graceSeconds')}>Grace period</label>
              <input
                id={id('graceSeconds')}
                type="number"
                inputMode="numeric"
                min={0}
                required
                value={graceAmount}
                onChange={(event) => setGraceAmount(event.target.value)}
                aria-invalid={errors.graceSeconds ? true : undefined}
                aria-describedby={describedBy('graceSeconds', false)}
              />
            </div>
            <div className="field">
              <label htmlFor={`${base}-grace-unit`}>Unit</label>
              <select
                id={`${base}-grace-unit`}
                value={graceUnit}
                onChange={(event) => setGraceUnit(Number(event.target.value) as GraceUnitSeconds)}
              >
                {GRACE_UNITS.map((unit) => (
                  <option key={unit.seconds} value={unit.seconds}>
                    {unit.label}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <FieldError id={id('graceSeconds-error')} message={errors.graceSeconds} />
        </fieldset>
      )}
    </ConfirmDialog>
  );
}
