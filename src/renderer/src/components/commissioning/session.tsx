/**
 * This client's session as the station reports it (whoAmI, then `session` pushes: login, logout,
 * automatic logout, the first user created). The station holds the session per connection or
 * window and checks every request; the UI only hides what the role may not do.
 */
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Role, SessionView } from '../../../../shared/commissioning';
import { useStation } from '../../station-state';
import { LoginDialog, SessionBadge } from './LoginDialog';
import './commissioning.css';

const RANK: Record<Role, number> = { operator: 1, engineer: 2, administrator: 3 };

/** Whether `role` (null: logged out) reaches `min`; the station's table is the rule, this hides buttons. */
export function roleAtLeast(role: Role | null, min: Role): boolean {
  return role !== null && RANK[role] >= RANK[min];
}

interface SessionCtx {
  session: SessionView | null;
  role: Role | null;
  openLogin: () => void;
  refresh: () => void;
}

const Ctx = createContext<SessionCtx>({ session: null, role: null, openLogin: () => {}, refresh: () => {} });

export function useSession(): SessionCtx {
  return useContext(Ctx);
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const { client, view } = useStation();
  const [session, setSession] = useState<SessionView | null>(null);
  const [loginOpen, setLoginOpen] = useState(false);
  const [kind, setKind] = useState<'pin' | 'password'>('pin');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(() => {
    client.whoAmI().then(setSession, () => undefined);
  }, [client]);

  // Again on every (re)connection: a new connection starts logged out.
  const connected = view.connection.kind === 'open';
  useEffect(() => {
    if (connected) refresh();
  }, [connected, refresh]);
  useEffect(() => client.subscribe('session', setSession), [client]);

  const login = (username: string, secret: string) => {
    setBusy(true);
    setError(null);
    client.login({ username, secret }).then(
      (s) => {
        setSession(s);
        setBusy(false);
        setLoginOpen(false);
      },
      (e: Error) => {
        setBusy(false);
        setError(e.message);
      },
    );
  };

  return (
    <Ctx.Provider
      value={{
        session,
        role: session?.role ?? null,
        openLogin: () => {
          setError(null);
          setLoginOpen(true);
        },
        refresh,
      }}
    >
      {children}
      {loginOpen && (
        <LoginDialog
          usernames={[]}
          kind={kind}
          busy={busy}
          error={error}
          onKindChange={setKind}
          onLogin={login}
          onCancel={() => setLoginOpen(false)}
        />
      )}
    </Ctx.Provider>
  );
}

/** One row under the status bar: the open-commissioning warning, or who is logged in. */
export function SessionBar() {
  const { t } = useTranslation();
  const { client } = useStation();
  const { session, openLogin, refresh } = useSession();

  if (!session) return null;
  if (session.open)
    return (
      <div className="banner bad cm-session-bar" role="alert" data-testid="open-commissioning-banner">
        {t(
          'commission.openBanner',
          'No users defined — anyone with the station link has full rights; create an administrator',
        )}
      </div>
    );
  return (
    <div className="cm-session-bar" data-testid="session-bar">
      {session.username && session.role ? (
        <SessionBadge
          username={session.username}
          role={t(`commission.role.${session.role}`, session.role)}
          // The station logs out after its idle time and pushes it; no local guess of the time left.
          idleLeftMs={null}
          onLogout={() => client.logout().then(refresh, refresh)}
        />
      ) : (
        <span className="cm-row">
          <span className="muted" data-testid="session-logged-out">
            {session.reason === 'idle'
              ? t('commission.loggedOutIdle', 'Logged out after inactivity: view only')
              : t('commission.viewOnly', 'Not logged in: view only')}
          </span>
          <button type="button" className="primary cm-touch" data-testid="login-open" onClick={openLogin}>
            {t('commission.login', 'Log in')}
          </button>
        </span>
      )}
    </div>
  );
}
