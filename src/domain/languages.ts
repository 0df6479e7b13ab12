/** Interface languages a user may pick (Nextcloud's core set of translations we accept). */
export const LANGUAGES = new Set([
  'en', 'en_GB', 'de', 'de_DE', 'fr', 'es', 'it', 'nl', 'pt_BR', 'pt_PT', 'pl', 'ru', 'uk', 'cs', 'sk',
  'sv', 'da', 'fi', 'nb', 'is', 'et', 'lv', 'lt', 'hu', 'ro', 'bg', 'el', 'tr', 'he', 'ar', 'fa',
  'ja', 'ko', 'zh_CN', 'zh_TW', 'zh_HK', 'vi', 'th', 'id', 'ca', 'gl', 'eu', 'sl', 'hr', 'sr',
]);

/** Locales look like ll or ll_CC; the runtime's Intl data decides whether one exists. */
export function isKnownLocale(locale: string): boolean {
  if (!/^[a-z]{2,3}(_[A-Z][a-z]{3})?(_[A-Z]{2})?$/.test(locale)) return false;
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([locale.replace(/_/g, '-')]).length > 0;
  } catch {
    return false;
  }
}

const TIMEZONES = new Set<string>([...Intl.supportedValuesOf('timeZone'), 'UTC']);
export const isKnownTimezone = (tz: string): boolean => TIMEZONES.has(tz);
