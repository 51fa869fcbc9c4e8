export { AuthError, type AuthErrorCode, forbidden, unauthenticated } from './auth-errors.ts';
export type { AuthDeps, AuthRuntime } from './auth-runtime.ts';
export { type AuthConfig, type AuthSettings, authSettingsFromConfig, DEFAULT_AUTH_SETTINGS } from './auth-settings.ts';
export { enrolmentVerifier, type VerifyEnrolment } from './enrolment.ts';
export { ensureFirstAdmin, type FirstAdmin, type FirstAdminOptions } from './first-admin.ts';
export { actorOf, type Principal, principalOf, tenantOf } from './principal.ts';
export { registerAuth } from './register-auth.ts';
export { ROLES, type Role, roleAtLeast } from './roles.ts';
export { listRoutes } from './route-list.ts';
export {
  type Access,
  enforce,
  ROUTE_POLICY,
  type RouteEntry,
  type RoutePolicy,
  type RouteRule,
  ruleFor,
  unpolicedRoutes,
} from './route-policy.ts';
export { CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE } from './session-cookie.ts';
export { canSee, clientFor, notFound, visibleOr404 } from './tenant-scope.ts';
