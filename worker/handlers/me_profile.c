/* me.update — PATCH /v1/me: any of profile / preferences / settings.
 *
 * Body {profile?: {display_name?, avatar_url?, bio?}, preferences?: {language?,
 * region?}, settings?: {privacy?, notifications?}}. A field that is present is set
 * (null clears the nullable ones), an absent one is left alone; an unknown field is
 * refused (400 naming it, e.g. "profile.color"), so a typo never silently does
 * nothing. Answers 200 with the account as GET /v1/me shows it.
 *
 *   display_name   string of <= 100 characters, or null
 *   avatar_url     http(s) URL of <= 2048 bytes without spaces, or null
 *   bio            string of <= 2000 characters, or null
 *   language       a language tag: 2-3 lower-case letters, optionally "-" and a
 *                  2-letter region or 3-digit area ("en", "pt-BR", "es-419"), or null
 *   region         2 letters (stored upper-case: "BR"), or null
 *   privacy        "private" | "friends" | "public"
 *   notifications  boolean
 */
#include "handlers.h"
#include "library_handlers.h"
#include "libreq.h"

#include "library/account.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define S_AVATAR_URL_MAX 2048
#define S_BIO_MAX 2000
#define S_DISPLAY_NAME_MAX 100

static bool s_language_ok(const char *s)
{
    size_t n = 0;
    while (islower((unsigned char)s[n]))
        n++;
    if (n < 2 || n > 3)
        return false;
    if (!s[n])
        return true;
    const char *r = s + n + 1;
    if (s[n] != '-')
        return false;
    if (strlen(r) == 2)
        return isupper((unsigned char)r[0]) && isupper((unsigned char)r[1]);
    return strlen(r) == 3 && isdigit((unsigned char)r[0]) && isdigit((unsigned char)r[1]) &&
           isdigit((unsigned char)r[2]);
}

static bool s_url_ok(const char *s)
{
    if (strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0)
        return false;
    if (strlen(s) > S_AVATAR_URL_MAX || !strchr(s, ':')[3])
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return false;
    return true;
}

/* Copies a validated text field into patch (null when *value is NULL). */
static int s_put(json_t *patch, const char *key, const char *value)
{
    return json_object_set_new(patch, key, value ? json_string(value) : json_null());
}

static bool s_profile(handler_ctx_t *ctx, const json_t *o, json_t *patch)
{
    static const char *const keys[] = {"display_name", "avatar_url", "bio", NULL};
    const char *name, *url, *bio;
    bool has_name, has_url, has_bio;
    if (!libreq_known_keys(ctx, o, keys, "profile") ||
        !libreq_text(ctx, o, "display_name", "profile.display_name", S_DISPLAY_NAME_MAX, true,
                     &name, &has_name) ||
        !libreq_text(ctx, o, "avatar_url", "profile.avatar_url", S_AVATAR_URL_MAX, true, &url,
                     &has_url) ||
        !libreq_text(ctx, o, "bio", "profile.bio", S_BIO_MAX, true, &bio, &has_bio))
        return false;
    if (url && !s_url_ok(url)) {
        handler_invalid(ctx, "profile.avatar_url",
                        "profile.avatar_url must be an http(s) URL of at most 2048 bytes");
        return false;
    }
    return (!has_name || s_put(patch, "display_name", name) == 0) &&
           (!has_url || s_put(patch, "avatar_url", url) == 0) &&
           (!has_bio || s_put(patch, "bio", bio) == 0);
}

static bool s_preferences(handler_ctx_t *ctx, const json_t *o, json_t *patch)
{
    static const char *const keys[] = {"language", "region", NULL};
    const char *lang, *region;
    bool has_lang, has_region;
    if (!libreq_known_keys(ctx, o, keys, "preferences") ||
        !libreq_text(ctx, o, "language", "preferences.language", 16, true, &lang, &has_lang) ||
        !libreq_text(ctx, o, "region", "preferences.region", 2, true, &region, &has_region))
        return false;
    if (lang && !s_language_ok(lang)) {
        handler_invalid(ctx, "preferences.language",
                        "preferences.language must be a language tag like \"en\" or \"pt-BR\"");
        return false;
    }
    char upper[3] = "";
    if (region) {
        if (strlen(region) != 2 || !isalpha((unsigned char)region[0]) ||
            !isalpha((unsigned char)region[1])) {
            handler_invalid(ctx, "preferences.region",
                            "preferences.region must be a 2-letter country code like \"BR\"");
            return false;
        }
        upper[0] = (char)toupper((unsigned char)region[0]);
        upper[1] = (char)toupper((unsigned char)region[1]);
    }
    return (!has_lang || s_put(patch, "language", lang) == 0) &&
           (!has_region || s_put(patch, "region", region ? upper : NULL) == 0);
}

static bool s_settings(handler_ctx_t *ctx, const json_t *o, json_t *patch)
{
    static const char *const keys[] = {"privacy", "notifications", NULL};
    const char *privacy;
    bool has_privacy, has_notif, notif = false;
    if (!libreq_known_keys(ctx, o, keys, "settings") ||
        !libreq_text(ctx, o, "privacy", "settings.privacy", 16, false, &privacy, &has_privacy) ||
        !libreq_bool(ctx, o, "notifications", "settings.notifications", &notif, &has_notif))
        return false;
    if (has_privacy && strcmp(privacy, "private") != 0 && strcmp(privacy, "friends") != 0 &&
        strcmp(privacy, "public") != 0) {
        handler_invalid(ctx, "settings.privacy",
                        "settings.privacy must be \"private\", \"friends\" or \"public\"");
        return false;
    }
    return (!has_privacy || s_put(patch, "privacy", privacy) == 0) &&
           (!has_notif || json_object_set_new(patch, "notifications", json_boolean(notif)) == 0);
}

/* Builds the flat column patch; false when the reply is already an error (or OOM,
 * reported as *oom). */
static bool s_patch(handler_ctx_t *ctx, const json_t *body, json_t *patch, bool *oom)
{
    static const char *const sections[] = {"profile", "preferences", "settings", NULL};
    bool (*const parse[])(handler_ctx_t *, const json_t *, json_t *) = {s_profile, s_preferences,
                                                                        s_settings};
    if (!libreq_known_keys(ctx, body, sections, NULL))
        return false;
    for (int i = 0; sections[i]; i++) {
        const json_t *o = json_object_get(body, sections[i]);
        if (!o)
            continue;
        if (!json_is_object(o)) {
            char msg[96];
            snprintf(msg, sizeof msg, "%s must be an object", sections[i]);
            handler_invalid(ctx, sections[i], msg);
            return false;
        }
        bool had_error = ctx->rep->error_code[0] != '\0';
        if (!parse[i](ctx, o, patch)) {
            *oom = !had_error && ctx->rep->error_code[0] == '\0';
            return false;
        }
    }
    return true;
}

int handle_me_update(handler_ctx_t *ctx)
{
    const json_t *body = libreq_body(ctx);
    if (!body)
        return 0;
    json_t *patch = json_object();
    bool oom = !patch;
    if (!patch || !s_patch(ctx, body, patch, &oom)) {
        json_decref(patch);
        return oom ? -1 : 0;
    }
    if (json_object_size(patch) > 0) {
        account_origin_t from = libreq_origin(ctx);
        db_err_t err = account_patch_profile(ctx->db, ctx->req->auth_sub, patch, &from);
        if (err != DB_OK) {
            json_decref(patch);
            return handler_db_error(ctx, err);
        }
    }
    json_decref(patch);
    return handle_me_get(ctx);
}
