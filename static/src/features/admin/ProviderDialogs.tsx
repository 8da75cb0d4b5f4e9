import { useState } from "react";
import { useI18n } from "../../i18n/I18n";
import { FormDialog } from "../../components/ui/FormDialog";
import { useSubmission } from "../../components/ui/useSubmission";
import { setProviderKey, updateProvider } from "./api";
import type { ProviderView, UpdateProvider } from "../../api/types.gen";

const MAX_KEY_CHARS = 1000;

/** Sets or replaces a provider's key: a masked input (with "show"), never filled from the API. */
export function ProviderKeyDialog({ provider, onCancel, onSaved }: { provider: ProviderView; onCancel: () => void; onSaved: (view: ProviderView) => void }) {
  const { t } = useI18n();
  const [key, setKey] = useState("");
  const [visible, setVisible] = useState(false);
  const { error, setError, busy, run } = useSubmission();
  const name = provider.display_name;
  const replacing = provider.key_source === "database";

  const submit = async () => {
    const value = key.trim();
    if (value === "") return setError(t("admin.providers.keyRequired"));
    if (value.length > MAX_KEY_CHARS || !/^[\x21-\x7e]+$/.test(value)) return setError(t("admin.providers.keyInvalid"));
    await run(() => setProviderKey(provider.provider, { api_key: value }), onSaved);
  };

  return (
    <FormDialog
      title={t(replacing ? "admin.providers.replaceKeyTitle" : "admin.providers.setKeyTitle", { name })}
      testId="provider-key-dialog"
      onSubmit={() => void submit()}
      onCancel={onCancel}
      submitLabel={t("admin.save")}
      cancelLabel={t("admin.cancel")}
      busy={busy}
      error={error}
    >
      <div className="field">
        <label htmlFor="provider-key">{t("admin.providers.keyLabel", { name })}</label>
        <div className="password-row">
          <input
            id="provider-key"
            type={visible ? "text" : "password"}
            value={key}
            onChange={(e) => setKey(e.target.value)}
            autoComplete="off"
            spellCheck={false}
            autoCapitalize="off"
            maxLength={MAX_KEY_CHARS}
            aria-describedby="provider-key-hint"
          />
          <button type="button" className="btn btn-secondary" aria-pressed={visible} onClick={() => setVisible((v) => !v)}>
            {visible ? t("auth.hidePassword") : t("auth.showPassword")}
          </button>
        </div>
        <p id="provider-key-hint" className="field-hint">
          {t(provider.key_source === "environment" ? "admin.providers.keyHintEnv" : "admin.providers.keyHint")}
        </p>
      </div>
    </FormDialog>
  );
}

const API_VERSION = /^[A-Za-z0-9.-]{1,32}$/;

/**
 * Azure OpenAI's endpoint and API version, or the OpenAI-compatible base URL. An empty field
 * removes the stored value: the Spin variable applies again. The API checks the address
 * (https, not internal, inside the allowed outbound hosts) and says what is wrong.
 */
export function ProviderSettingsDialog({ provider, onCancel, onSaved }: { provider: ProviderView; onCancel: () => void; onSaved: (view: ProviderView) => void }) {
  const { t } = useI18n();
  const azure = provider.provider === "azure_openai";
  const [url, setUrl] = useState(provider.base_url_source === "database" ? provider.base_url ?? "" : "");
  const [version, setVersion] = useState(provider.api_version_source === "database" ? provider.api_version ?? "" : "");
  const { error, setError, busy, run } = useSubmission();
  const name = provider.display_name;

  const submit = async () => {
    const address = url.trim();
    const apiVersion = version.trim();
    if (address !== "" && !/^https?:\/\/\S+$/i.test(address)) return setError(t("admin.providers.urlInvalid"));
    if (azure && apiVersion !== "" && !API_VERSION.test(apiVersion)) return setError(t("admin.providers.apiVersionInvalid"));
    const body: UpdateProvider = {
      base_url: address === "" ? null : address,
      ...(azure ? { api_version: apiVersion === "" ? null : apiVersion } : {}),
    };
    await run(() => updateProvider(provider.provider, body), onSaved);
  };

  return (
    <FormDialog
      title={t("admin.providers.settingsTitle", { name })}
      testId="provider-settings-dialog"
      onSubmit={() => void submit()}
      onCancel={onCancel}
      submitLabel={t("admin.save")}
      cancelLabel={t("admin.cancel")}
      busy={busy}
      error={error}
    >
      <div className="field">
        <label htmlFor="provider-url">{t(azure ? "admin.providers.endpoint" : "admin.providers.baseUrl")}</label>
        <input
          id="provider-url"
          type="url"
          inputMode="url"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          autoComplete="off"
          spellCheck={false}
          placeholder={provider.base_url_source === "database" ? (azure ? "https://my-resource.openai.azure.com" : "https://llm.example.com/v1") : (provider.base_url ?? "")}
          aria-describedby="provider-url-hint"
        />
        <p id="provider-url-hint" className="field-hint">
          {t("admin.providers.urlHint")}
        </p>
      </div>
      {azure && (
        <div className="field">
          <label htmlFor="provider-api-version">{t("admin.providers.apiVersion")}</label>
          <input
            id="provider-api-version"
            type="text"
            value={version}
            onChange={(e) => setVersion(e.target.value)}
            autoComplete="off"
            spellCheck={false}
            placeholder={provider.api_version ?? "2024-10-21"}
            aria-describedby="provider-api-version-hint"
          />
          <p id="provider-api-version-hint" className="field-hint">
            {t("admin.providers.apiVersionHint")}
          </p>
        </div>
      )}
    </FormDialog>
  );
}
