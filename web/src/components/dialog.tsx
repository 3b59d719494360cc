import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import { ErrorMessage } from './error-message';

export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  children: ReactNode;
  /** The seeds' words: `Yes`/`No`, or `OK`/`Cancel` for Reset Credentials. */
  confirmLabel?: string;
  cancelLabel?: string;
  /** Resolves when done (the caller closes the dialog); a rejection is shown inside the dialog. */
  onConfirm: () => void | Promise<void>;
  onCancel: () => void;
  isDanger?: boolean;
  isConfirmDisabled?: boolean;
  /** A confirmation starts on its safe answer; a dialog holding a form starts on the form's own autoFocus field instead. */
  isCancelFocused?: boolean;
}

/**
 * A modal confirmation on the native <dialog>: showModal() makes the rest of the page inert and keeps
 * focus inside; Escape is No; focus returns to whatever opened it. The content is rendered only
 * while open, so a closed dialog leaves nothing in the page.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel = 'Yes',
  cancelLabel = 'No',
  onConfirm,
  onCancel,
  isDanger = false,
  isConfirmDisabled = false,
  isCancelFocused = true,
}: ConfirmDialogProps): ReactNode {
  const ref = useRef<HTMLDialogElement>(null);
  const opener = useRef<Element | null>(null);
  const titleId = useId();
  const bodyId = useId();
  const [isBusy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      opener.current = document.activeElement;
      setError(undefined);
      dialog.showModal();
    } else if (!open && dialog.open) {
      dialog.close();
      const previous = opener.current;
      opener.current = null;
      if (previous instanceof HTMLElement && previous.isConnected) previous.focus();
    }
  }, [open]);

  // showModal() already makes the page behind inert; this also keeps Tab from leaving for the browser's own UI.
  const trapTab = (event: KeyboardEvent<HTMLDialogElement>): void => {
    if (event.key !== 'Tab' || !ref.current) return;
    const focusable = [
      ...ref.current.querySelectorAll<HTMLElement>('button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])'),
    ].filter(
      (element) =>
        !element.hasAttribute('disabled') && !(element instanceof HTMLInputElement && element.type === 'radio' && !element.checked),
    );
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (isBusy || isConfirmDisabled) return;
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={ref}
      className={isDanger ? 'dialog dialog-danger' : 'dialog'}
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      onKeyDown={trapTab}
      onCancel={(event) => {
        event.preventDefault();
        if (!isBusy) onCancel();
      }}
    >
      {open && (
        <form onSubmit={(event) => void submit(event)}>
          <h2 id={titleId} className="dialog-title">
            {title}
          </h2>
          <div id={bodyId} className="dialog-body">
            {children}
          </div>
          <ErrorMessage error={error} />
          <div className="dialog-actions">
            <button
              type="submit"
              className={isDanger ? 'button button-danger' : 'button button-primary'}
              disabled={isBusy || isConfirmDisabled}
            >
              {confirmLabel}
            </button>
            <button type="button" className="button" onClick={onCancel} disabled={isBusy} autoFocus={isCancelFocused}>
              {cancelLabel}
            </button>
          </div>
          {isBusy && (
            <p className="muted" role="status">
              Working…
            </p>
          )}
        </form>
      )}
    </dialog>
  );
}
