/** Who is making a request, once authentication has run. */
export interface Principal {
  userId: string;
  /**
   * How the caller proved who they are: app-password logins may not mint new
   * app passwords; a browser session needs the CSRF token on unsafe requests.
   */
  method: 'password' | 'appPassword' | 'session' | 'oidc';
  /** An OpenID Connect access token: the grant it was issued under. */
  oidcGrantId?: string;
  appPasswordId?: string;
  sessionId?: string;
}
