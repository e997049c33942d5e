/**
 * Log in at the station: tap your name, type the PIN on the on-screen pad (or a password with a
 * keyboard). The station decides; this shows its answer (wrong PIN, locked for N minutes).
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import './commissioning.css';

const PAD = ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'clear', '0', 'back'] as const;
const MAX_PIN_DIGITS = 12;

export function LoginDialog(props: {
  /** Names to tap (the station's users); an empty list shows a name field. */
  usernames: readonly string[];
  kind: 'pin' | 'password';
  busy?: boolean;
  /** The station's answer to the last attempt (e.g. "too many wrong attempts: locked for 5 minutes"). */
  error?: string | null;
  onKindChange: (kind: 'pin' | 'password') => void;
  onLogin: (username: string, secret: string) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const [username, setUsername] = useState(props.usernames.length === 1 ? props.usernames[0]! : '');
  const [secret, setSecret] = useState('');
  const submit = () => {
    if (!username || !secret) return;
    props.onLogin(username, secret);
    setSecret('');
  };
  const press = (k: (typeof PAD)[number]) => {
    if (k === 'clear') setSecret('');
    else if (k === 'back') setSecret((s) => s.slice(0, -1));
    else setSecret((s) => (s.length < MAX_PIN_DIGITS ? s + k : s));
  };
  return (
    <div className="modal-backdrop">
      <div
        className="modal cm-panel"
        role="dialog"
        aria-modal="true"
        aria-labelledby="login-title"
        data-testid="login-dialog"
      >
        <h2 id="login-title">{t('commission.login', 'Log in')}</h2>
        {props.usernames.length > 0 ? (
          <div className="cm-row" role="group" aria-label={t('commission.user', 'User')}>
            {props.usernames.map((u) => (
              <button
                key={u}
                type="button"
                className={u === username ? 'primary' : ''}
                aria-pressed={u === username}
                data-testid={`login-user-${u}`}
                onClick={() => setUsername(u)}
              >
                {u}
              </button>
            ))}
          </div>
        ) : (
          <input
            className="cm-touch"
            data-testid="login-username"
            autoComplete="username"
            placeholder={t('commission.user', 'User')}
            value={username}
            onChange={(e) => setUsername(e.target.value.trim().toLowerCase())}
          />
        )}
        <span className="segmented" role="group">
          <button
            type="button"
            className={props.kind === 'pin' ? 'active' : ''}
            aria-pressed={props.kind === 'pin'}
            data-testid="login-kind-pin"
            onClick={() => props.onKindChange('pin')}
          >
            PIN
          </button>
          <button
            type="button"
            className={props.kind === 'password' ? 'active' : ''}
            aria-pressed={props.kind === 'password'}
            data-testid="login-kind-password"
            onClick={() => props.onKindChange('password')}
          >
            {t('commission.password', 'Password')}
          </button>
        </span>
        {props.kind === 'pin' ? (
          <>
            <div className="cm-pin-dots" data-testid="login-pin-dots" aria-live="polite">
              {'●'.repeat(secret.length) || '\u00a0'}
            </div>
            <div className="cm-pinpad">
              {PAD.map((k) => (
                <button
                  key={k}
                  type="button"
                  data-testid={`login-key-${k}`}
                  aria-label={
                    k === 'back'
                      ? t('commission.backspace', 'Delete last digit')
                      : k === 'clear'
                        ? t('commission.clear', 'Clear')
                        : k
                  }
                  disabled={props.busy}
                  onClick={() => press(k)}
                >
                  {k === 'back' ? '⌫' : k === 'clear' ? 'C' : k}
                </button>
              ))}
            </div>
          </>
        ) : (
          <input
            className="cm-touch"
            type="password"
            autoComplete="current-password"
            data-testid="login-password"
            value={secret}
            onChange={(e) => setSecret(e.target.value)}
            onKeyDown={(e) => e.key === 'Enter' && submit()}
          />
        )}
        {props.error && (
          <div className="cm-error" role="alert" data-testid="login-error">
            {props.error}
          </div>
        )}
        <div className="modal-actions">
          <button type="button" data-testid="login-cancel" onClick={props.onCancel}>
            {t('common.cancel', 'Cancel')}
          </button>
          <button
            type="button"
            className="primary"
            data-testid="login-submit"
            disabled={props.busy || !username || !secret}
            onClick={submit}
          >
            {t('commission.login', 'Log in')}
          </button>
        </div>
      </div>
    </div>
  );
}

/** Who is logged in, with a logout button and the time left before automatic logout. */
export function SessionBadge(props: {
  username: string;
  role: string;
  /** Ms left before the idle logout, or null to hide. */
  idleLeftMs: number | null;
  onLogout: () => void;
}) {
  const { t } = useTranslation();
  return (
    <span className="cm-row" data-testid="session-badge">
      <span>
        {props.username} <span className="muted small">({props.role})</span>
      </span>
      {props.idleLeftMs !== null && (
        <span className="muted small">
          {t('commission.autoLogout', 'auto logout in {{min}} min', {
            min: Math.ceil(props.idleLeftMs / 60_000),
          })}
        </span>
      )}
      <button type="button" className="cm-touch" data-testid="logout" onClick={props.onLogout}>
        {t('commission.logout', 'Log out')}
      </button>
    </span>
  );
}
