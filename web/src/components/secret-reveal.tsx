import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { flushSync } from 'react-dom';

export interface RevealedField {
  /** The pinned label: `Consumer Key`, `Consumer Secret`, `Client ID`, `Client Secret`, `API Key ID`, `API Key Secret`, … */
  label: string;
  value: string;
}

/**
 * Holds values shown once (SPEC §7): only in this component's state, never in a URL, storage or
 * the history. They are dropped when the page is left — by unmounting, and on `pagehide` too, so a
 * page restored from the back-forward cache comes back without them.
 */
export function useShownOnce<T>(): [T | undefined, (value: T | undefined) => void] {
  const [value, setValue] = useState<T | undefined>(undefined);
  useEffect(() => {
    // Synchronously, so the DOM no longer holds the value when the page is frozen into the cache.
    const drop = (): void => flushSync(() => setValue(undefined));
    window.addEventListener('pagehide', drop);
    return () => window.removeEventListener('pagehide', drop);
  }, []);
  return [value, setValue];
}

export function SecretReveal({
  title,
  fields,
  copyLabel = 'Copy to Clipboard',
  children,
}: {
  title: string;
  fields: RevealedField[];
  copyLabel?: string;
  children?: ReactNode;
}): ReactNode {
  const baseId = useId();
  const [status, setStatus] = useState('');
  const list = useRef<HTMLDListElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  // The new values are what the person came for: move focus to them.
  useEffect(() => {
    heading.current?.focus();
  }, []);

  const copy = async (): Promise<void> => {
    const text = fields.map((field) => (fields.length === 1 ? field.value : `${field.label}: ${field.value}`)).join('\n');
    try {
      await navigator.clipboard.writeText(text);
      setStatus(
        fields.length === 1
          ? `${fields[0]!.label} copied to the clipboard.`
          : `${fields.map((field) => field.label).join(' and ')} copied to the clipboard.`,
      );
    } catch {
      const selection = window.getSelection();
      if (selection && list.current) {
        const range = document.createRange();
        range.selectNodeContents(list.current);
        selection.removeAllRanges();
        selection.addRange(range);
      }
      setStatus('The browser did not allow copying: the values are selected, press Ctrl+C (⌘C) to copy them.');
    }
  };

  return (
    <section className="reveal">
      <h2 id={`${baseId}-title`} ref={heading} tabIndex={-1}>
        {title}
      </h2>
      <p className="reveal-warning">
        <strong>Shown once.</strong> Copy {fields.length === 1 ? 'it' : 'them'} now: Rekey keeps no readable copy and cannot show{' '}
        {fields.length === 1 ? 'it' : 'them'} again. Leaving this page discards {fields.length === 1 ? 'it' : 'them'}. Treat{' '}
        {fields.length === 1 ? 'it' : 'them'} like a password and never send {fields.length === 1 ? 'it' : 'them'} by email.
      </p>
      <dl className="reveal-fields" ref={list}>
        {fields.map((field, index) => (
          <div key={field.label} className="reveal-field">
            <dt>
              <label htmlFor={`${baseId}-${index}`}>{field.label}</label>
            </dt>
            <dd>
              <output id={`${baseId}-${index}`} className="secret-value">
                {field.value}
              </output>
            </dd>
          </div>
        ))}
      </dl>
      <div className="reveal-actions">
        <button type="button" className="button button-primary" onClick={() => void copy()}>
          {copyLabel}
        </button>
        <span className="muted" role="status" aria-live="polite">
          {status}
        </span>
      </div>
      {children}
    </section>
  );
}
