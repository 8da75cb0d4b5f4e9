import { useId, useState } from "react";
import { useI18n } from "../../i18n/I18n";
import type { MessageKey } from "../../i18n/messages";
import { describeError } from "../../lib/errors";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog";
import { Icon } from "../../components/ui/Icon";
import { deleteProviderKey, listProviders, testProvider } from "./api";
import { formatCount, formatDateTime } from "./format";
import { ErrorNotice } from "./Notice";
import { ProviderKeyDialog, ProviderSettingsDialog } from "./ProviderDialogs";
import type { KeySource, ProviderTestView, ProviderView, SettingSource } from "../../api/types.gen";
import { useLoad } from "./useLoad";

const SOURCE_LABELS: Record<KeySource, MessageKey> = {
  database: "admin.providers.source.database",
  environment: "admin.providers.source.environment",
  none: "admin.providers.source.none",
};

const SETTING_SOURCES: Record<SettingSource, MessageKey> = {
  database: "admin.providers.setting.database",
  environment: "admin.providers.setting.environment",
  default: "admin.providers.setting.default",
  none: "admin.providers.setting.none",
};

const SOURCE_BADGES: Record<KeySource, string> = {
  database: "badge badge-accent",
  environment: "badge",
  none: "badge badge-danger",
};

/** A test run in this view: under way, answered, or refused by the API. */
type TestState = { running: true } | { running: false; result: ProviderTestView } | { running: false; error: string };

/**
 * Providers (P5): each provider's key (stored in the database, from the environment, or none),
 * set, replace or delete it, test it, and the Azure OpenAI and OpenAI-compatible endpoints.
 * A key is never shown: the API returns only its last characters.
 */
export function ProvidersTab() {
  const { t } = useI18n();
  const id = useId();
  const [version, setVersion] = useState(0);
  const loaded = useLoad(listProviders, String(version));
  const [keyFor, setKeyFor] = useState<ProviderView | null>(null);
  const [settingsFor, setSettingsFor] = useState<ProviderView | null>(null);
  const [deleting, setDeleting] = useState<ProviderView | null>(null);
  const [tests, setTests] = useState<Partial<Record<string, TestState>>>({});
  const [actionError, setActionError] = useState<unknown>(null);
  const [status, setStatus] = useState("");
  const providers = loaded.data?.items ?? null;

  const saved = (message: string) => {
    setStatus(message);
    setVersion((v) => v + 1);
  };

  const runTest = async (provider: ProviderView) => {
    const name = provider.display_name;
    setTests((all) => ({ ...all, [provider.provider]: { running: true } }));
    let next: TestState;
    try {
      next = { running: false, result: await testProvider(provider.provider) };
      setStatus(next.result.status === "ok" ? t("admin.providers.testOk", { name }) : t("admin.providers.testFailedFor", { name }));
    } catch (err) {
      next = { running: false, error: describeError(err, t) };
      setStatus(t("admin.providers.testFailedFor", { name }));
    }
    setTests((all) => ({ ...all, [provider.provider]: next }));
  };

  const removeKey = async (provider: ProviderView) => {
    setActionError(null);
    try {
      await deleteProviderKey(provider.provider);
      saved(t("admin.providers.keyDeleted", { name: provider.display_name }));
    } catch (err) {
      setActionError(err);
    }
  };

  return (
    <section aria-labelledby={id + "title"}>
      <div className="admin-section-head">
        <h2 id={id + "title"}>{t("admin.tab.providers")}</h2>
      </div>
      <p className="muted provider-intro">{t("admin.providers.intro")}</p>
      <p className="visually-hidden" role="status" aria-live="polite">
        {status}
      </p>
      <ErrorNotice error={actionError} />
      <ErrorNotice error={loaded.error} onRetry={loaded.reload} />
      {providers === null && loaded.error === null && <p className="muted">{t("admin.loading")}</p>}
      {providers !== null && (
        <ul className="provider-grid" data-testid="providers">
          {providers.map((provider) => (
            <ProviderCard
              key={provider.provider}
              provider={provider}
              test={tests[provider.provider]}
              onSetKey={() => setKeyFor(provider)}
              onDeleteKey={() => setDeleting(provider)}
              onTest={() => void runTest(provider)}
              onSettings={() => setSettingsFor(provider)}
            />
          ))}
        </ul>
      )}
      {keyFor && (
        <ProviderKeyDialog
          provider={keyFor}
          onCancel={() => setKeyFor(null)}
          onSaved={(view) => {
            setKeyFor(null);
            // An earlier test result belongs to the old key.
            setTests((all) => ({ ...all, [view.provider]: undefined }));
            saved(t("admin.providers.keySaved", { name: view.display_name }));
          }}
        />
      )}
      {settingsFor && (
        <ProviderSettingsDialog
          provider={settingsFor}
          onCancel={() => setSettingsFor(null)}
          onSaved={(view) => {
            setSettingsFor(null);
            saved(t("admin.providers.settingsSaved", { name: view.display_name }));
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={t("admin.providers.deleteTitle")}
          body={t("admin.providers.deleteBody", { name: deleting.display_name })}
          confirmLabel={t("admin.providers.deleteKey")}
          cancelLabel={t("admin.cancel")}
          danger
          onConfirm={() => {
            const provider = deleting;
            setDeleting(null);
            void removeKey(provider);
          }}
          onCancel={() => setDeleting(null)}
        />
      )}
    </section>
  );
}

interface CardProps {
  provider: ProviderView;
  test: TestState | undefined;
  onSetKey: () => void;
  onDeleteKey: () => void;
  onTest: () => void;
  onSettings: () => void;
}

/** One provider: its key's source and hint, its endpoint, the last test, and the actions. */
function ProviderCard({ provider, test, onSetKey, onDeleteKey, onTest, onSettings }: CardProps) {
  const { t, locale } = useI18n();
  const id = useId();
  const name = provider.display_name;
  const stored = provider.key_source === "database";
  // The result of a test in this view, else the stored last test.
  const shown: ProviderTestView | null = test && !test.running && "result" in test ? test.result : provider.last_test;
  const testable = provider.key_source !== "none" || !provider.requires_key;
  return (
    <li
      className="provider-card"
      data-testid="provider-card"
      data-provider={provider.provider}
      data-source={provider.key_source}
      data-configured={provider.configured}
      aria-labelledby={id + "name"}
    >
      <div className="provider-head">
        <h3 id={id + "name"}>{name}</h3>
        <span className={provider.key_source === "none" && !provider.requires_key ? "badge" : SOURCE_BADGES[provider.key_source]} data-testid="provider-source">
          {provider.key_source === "none" && !provider.requires_key ? t("admin.providers.source.optional") : t(SOURCE_LABELS[provider.key_source])}
        </span>
      </div>
      {!provider.configured && (
        <p className="provider-warning" data-testid="provider-unconfigured">
          <Icon name="alert" size={15} /> {provider.configuration_error ?? t("admin.providers.notConfigured")}
        </p>
      )}
      {provider.key_error !== null && (
        <p className="provider-warning" data-testid="provider-key-error">
          <Icon name="alert" size={15} /> {provider.key_error}
        </p>
      )}
      <dl className="provider-facts">
        <div>
          <dt>{t("admin.providers.key")}</dt>
          <dd>
            {provider.key_hint === null ? (
              t(SOURCE_LABELS[provider.key_source])
            ) : (
              <span className="mono" data-testid="provider-hint" aria-label={t("admin.providers.hintLabel", { hint: provider.key_hint })}>
                ••••{provider.key_hint}
              </span>
            )}
            {stored && provider.key_set_at !== null && (
              <div className="cell-sub">{t("admin.providers.setAt", { when: formatDateTime(provider.key_set_at, locale) })}</div>
            )}
          </dd>
        </div>
        {provider.base_url_editable && (
          <div>
            <dt>{t(provider.provider === "azure_openai" ? "admin.providers.endpoint" : "admin.providers.baseUrl")}</dt>
            <dd>
              <span className="break mono" data-testid="provider-endpoint">
                {provider.base_url ?? "–"}
              </span>
              <div className="cell-sub">{t(SETTING_SOURCES[provider.base_url_source])}</div>
            </dd>
          </div>
        )}
        {provider.api_version_source !== null && (
          <div>
            <dt>{t("admin.providers.apiVersion")}</dt>
            <dd>
              <span className="mono" data-testid="provider-api-version">
                {provider.api_version ?? "–"}
              </span>
              <div className="cell-sub">{t(SETTING_SOURCES[provider.api_version_source])}</div>
            </dd>
          </div>
        )}
        <div>
          <dt>{t("admin.providers.lastTest")}</dt>
          <dd data-testid="provider-test" aria-live="polite">
            {test?.running ? (
              <span className="muted">{t("admin.providers.testing")}</span>
            ) : test && "error" in test ? (
              <span className="test-failed" data-ok="false">
                <Icon name="alert" size={15} /> {test.error}
              </span>
            ) : shown === null ? (
              <span className="muted">{t("admin.providers.neverTested")}</span>
            ) : (
              <TestOutcome result={shown} />
            )}
          </dd>
        </div>
      </dl>
      <div className="provider-actions">
        <button type="button" className="btn btn-secondary btn-small" onClick={onSetKey} aria-label={t(stored ? "admin.providers.replaceKeyTitle" : "admin.providers.setKeyTitle", { name })}>
          <Icon name="key" size={15} /> {t(stored ? "admin.providers.replaceKey" : "admin.providers.setKey")}
        </button>
        {stored && (
          <button type="button" className="btn btn-ghost btn-small" onClick={onDeleteKey} aria-label={t("admin.providers.deleteKeyLabel", { name })}>
            <Icon name="trash" size={15} /> {t("admin.providers.deleteKey")}
          </button>
        )}
        <button
          type="button"
          className="btn btn-ghost btn-small"
          onClick={onTest}
          disabled={test?.running === true || !testable}
          title={testable ? undefined : t("admin.providers.testNeedsKey")}
          aria-label={t("admin.providers.testLabel", { name })}
        >
          <Icon name="check" size={15} /> {t("admin.providers.test")}
        </button>
        {provider.base_url_editable && (
          <button type="button" className="btn btn-ghost btn-small" onClick={onSettings} aria-label={t("admin.providers.settingsTitle", { name })}>
            <Icon name="edit" size={15} /> {t("admin.providers.settings")}
          </button>
        )}
      </div>
    </li>
  );
}

function TestOutcome({ result }: { result: ProviderTestView }) {
  const { t, locale } = useI18n();
  const when = formatDateTime(result.tested_at, locale);
  const latency = result.latency_ms === null ? null : t("admin.providers.latency", { ms: formatCount(result.latency_ms, locale) });
  return result.status === "ok" ? (
    <span className="test-ok" data-ok="true">
      <Icon name="check" size={15} /> {t("admin.providers.testPassed")}
      {latency !== null && " · " + latency}
      <span className="cell-sub"> · {when}</span>
    </span>
  ) : (
    <span className="test-failed" data-ok="false">
      <Icon name="alert" size={15} /> {t("admin.providers.testFailed")}
      {latency !== null && " · " + latency}
      <span className="cell-sub"> · {when}</span>
      {result.error !== null && <span className="test-error">{result.error}</span>}
    </span>
  );
}
