/**
 * Clients gate features on the server version from status.php and the
 * capabilities (the desktop client asks for share types only from 10.0 on,
 * some sync features need recent majors), so Nimbus reports the Nextcloud
 * release whose API it follows.
 */
export const COMPAT_VERSION = { major: 32, minor: 0, micro: 0, build: 0 } as const;
export const COMPAT_VERSION_STRING = `${COMPAT_VERSION.major}.${COMPAT_VERSION.minor}.${COMPAT_VERSION.micro}`;
export const COMPAT_VERSION_FULL = `${COMPAT_VERSION_STRING}.${COMPAT_VERSION.build}`;
