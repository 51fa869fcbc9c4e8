import type { ComponentType } from 'preact';
import { useEffect } from 'preact/hooks';
import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { ApiError } from './api/api-error.ts';
import { whoAmI } from './api/auth-api.ts';
import { RouteBoundary } from './components/route-boundary.tsx';
import { Shell } from './components/shell.tsx';
import { AdminPage } from './pages/admin-page.tsx';
import { AgentsPage } from './pages/agents-page.tsx';
import { ApprovalsPage } from './pages/approvals-page.tsx';
import { AuditPage } from './pages/audit-page.tsx';
import { ClientDashboardPage } from './pages/client-dashboard-page.tsx';
import { ControlsPage } from './pages/controls-page.tsx';
import { FleetPage } from './pages/fleet-page.tsx';
import { GovernancePage } from './pages/governance-page.tsx';
import { InstancePage } from './pages/instance-page.tsx';
import { JobDetailPage } from './pages/job-detail-page.tsx';
import { JobsPage } from './pages/jobs-page.tsx';
import { LiveOpsPage } from './pages/live-ops-page.tsx';
import { NotFoundPage } from './pages/not-found-page.tsx';
import { OverridesPage } from './pages/overrides-page.tsx';
import { ProfilePage } from './pages/profile-page.tsx';
import { SignInPage } from './pages/sign-in-page.tsx';
import { StoragePage } from './pages/storage-page.tsx';
import { UtilizationPage } from './pages/utilization-page.tsx';
import { homeFor, isHubAdmin, isStaff, type Principal } from './state/roles.ts';
import { principal, setSession, status } from './state/session.ts';

type Guard = (p: Principal) => boolean;

/** Each route gets its own error boundary, and pages a role may not open say so instead of erroring. */
function page<P>(Component: ComponentType<P>, allowed?: Guard): ComponentType<P> {
  const Bounded = (props: P) => {
    const p = principal.value;
    if (allowed && p && !allowed(p)) {
      return (
        <p class="banner warn" data-testid="not-allowed">
          Your role ({p.role}) cannot open this page.
        </p>
      );
    }
    return (
      <RouteBoundary>
        <Component {...(props as P & object)} />
      </RouteBoundary>
    );
  };
  Bounded.displayName = `Page(${Component.displayName ?? Component.name})`;
  return Bounded;
}

/** "/" is live operations for hub admins; everyone else goes to their own start page. */
function Home() {
  const { route } = useLocation();
  const p = principal.value;
  const admin = isHubAdmin(p);
  useEffect(() => {
    if (p && !admin) route(homeFor(p), true);
  }, [p, admin]);
  return admin ? <LiveOps /> : null;
}

const LiveOps = page(LiveOpsPage, isHubAdmin);
const HomeRoute = page(Home);
const Fleet = page(FleetPage);
const ClientDashboard = page(ClientDashboardPage);
const Instance = page(InstancePage);
const Controls = page(ControlsPage, isHubAdmin);
const Governance = page(GovernancePage, isStaff);
const Storage = page(StoragePage);
const Overrides = page(OverridesPage);
const Jobs = page(JobsPage);
const JobDetail = page(JobDetailPage);
const Approvals = page(ApprovalsPage);
const Agents = page(AgentsPage);
const Utilization = page(UtilizationPage);
const Audit = page(AuditPage);
const Admin = page(AdminPage, (p) => p.role === 'admin');
const Profile = page(ProfilePage);
const NotFound = page(NotFoundPage);

function Routes() {
  return (
    <Router>
      <Route path="/" component={HomeRoute} />
      <Route path="/fleet" component={Fleet} />
      <Route path="/clients/:id" component={ClientDashboard} />
      <Route path="/instances/:id" component={Instance} />
      <Route path="/controls" component={Controls} />
      <Route path="/governance" component={Governance} />
      <Route path="/storage" component={Storage} />
      <Route path="/overrides" component={Overrides} />
      <Route path="/jobs" component={Jobs} />
      <Route path="/jobs/:id" component={JobDetail} />
      <Route path="/approvals" component={Approvals} />
      <Route path="/agents" component={Agents} />
      <Route path="/utilization" component={Utilization} />
      <Route path="/audit" component={Audit} />
      <Route path="/admin" component={Admin} />
      <Route path="/profile" component={Profile} />
      <Route default component={NotFound} />
    </Router>
  );
}

/** Asks the hub who is signed in (the cookie survives reloads), then shows sign-in or the console. */
export function App() {
  useEffect(() => {
    const abort = new AbortController();
    whoAmI(abort.signal).then(
      (me) => setSession(me.principal, me.csrfToken),
      (err: unknown) => {
        if (abort.signal.aborted) return;
        // A 401 already moved the store to signed-out; anything else is a hub we cannot read.
        if (!(err instanceof ApiError && err.status === 401)) console.error('console: /api/v1/me failed', err);
        status.value = 'signed-out';
      },
    );
    return () => abort.abort();
  }, []);

  if (status.value === 'checking') return <p class="muted boot">Loading…</p>;
  if (status.value === 'signed-out' || !principal.value) return <SignInPage />;
  return (
    <LocationProvider>
      <Shell>
        <Routes />
      </Shell>
    </LocationProvider>
  );
}
