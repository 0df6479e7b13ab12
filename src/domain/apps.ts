/**
 * The server's own modules, presented as Nextcloud "apps". Only modules that
 * are actually implemented are listed; a module that can be disabled really
 * switches its routes and capabilities off.
 */
export interface AppInfo {
  id: string;
  name: string;
  summary: string;
  description: string;
  version: string;
  licence: string;
  category: string[];
  /** Core modules cannot be disabled (Nextcloud's "always enabled" apps). */
  alwaysEnabled: boolean;
  defaultEnabled: boolean;
}

export const APPS: readonly AppInfo[] = [
  {
    id: 'provisioning_api',
    name: 'Provisioning API',
    summary: 'Manage users, groups and apps over OCS',
    description: 'The OCS provisioning API: users, groups, subadmins and apps.',
    version: '1.22.0',
    licence: 'agpl',
    category: ['security'],
    alwaysEnabled: true,
    defaultEnabled: true,
  },
  {
    id: 'theming',
    name: 'Theming',
    summary: 'Instance name, slogan and colour for clients',
    description: 'Publishes the instance name, slogan, URL and colour in the capabilities.',
    version: '2.7.0',
    licence: 'agpl',
    category: ['customization'],
    alwaysEnabled: false,
    defaultEnabled: true,
  },
  {
    id: 'password_policy',
    name: 'Password policy',
    summary: 'Minimum length and common-password checks',
    description: 'Enforces the password policy on new passwords and offers generate/validate endpoints.',
    version: '3.0.0',
    licence: 'agpl',
    category: ['security'],
    alwaysEnabled: false,
    defaultEnabled: true,
  },
  {
    id: 'activity',
    name: 'Activity',
    summary: 'What happened to your files',
    description: 'The activity stream: file changes by you and by others in the spaces you belong to, over the activity app API and the OCS ACTIVITY list.',
    version: '5.0.0',
    licence: 'agpl',
    category: ['monitoring'],
    alwaysEnabled: false,
    defaultEnabled: true,
  },
  {
    id: 'notifications',
    name: 'Notifications',
    summary: 'Shares waiting to be accepted, and messages from the admin',
    description: 'The notifications app API the desktop and mobile clients poll: pending user, group and federated shares with accept and decline actions, and admin messages.',
    version: '4.0.0',
    licence: 'agpl',
    category: ['tools'],
    alwaysEnabled: false,
    defaultEnabled: true,
  },
];

export const findApp = (id: string): AppInfo | undefined => APPS.find((a) => a.id === id);
