/**
 * What this output needs in Argo CD's `argocd-cm` ConfigMap. One function, and one rendered ConfigMap per
 * environment: the argo-cd add-on passes it as the chart's `configs.cm` (dist/<env>/argo-cd/configmap.yaml,
 * what the cluster and `npm run validate:argocd` run); only without that add-on is it rendered on its own as
 * `argocd/<env>/argocd-cm.yaml`.
 */

/**
 * Health of a child Application as the root app (app of apps) sees it. Argo CD has no built-in health check
 * for Applications, so without this the root app starts the next sync wave as soon as a child object exists.
 * A child counts as Healthy only when it is done: no sync operation requested or running, its last sync
 * Succeeded (or it never needed one: what a bootstrap installed by hand is already Synced), it is Synced and its
 * own health is Healthy. Error conditions (ComparisonError, SyncError, InvalidSpecError, ...) make it Degraded
 * with the controller's message, so the root app reports why it waits.
 *
 * Argo CD runs health scripts with only Lua's base, table and os libraries: `string.sub` raised "attempt to
 * index a non-table object(nil)", which failed the root app's whole comparison the first time a child had a
 * condition, so it could no longer prune (found by `npm run validate:argocd`, removing a platform). Hence the
 * explicit list of Argo CD's error condition types (ApplicationCondition*Error in its v1alpha1 types).
 */
export const APPLICATION_HEALTH_LUA = `local errorConditions = { ComparisonError = true, DeletionError = true, InvalidSpecError = true, SyncError = true, UnknownError = true }
hs = {}
hs.status = "Progressing"
hs.message = "Waiting for the Application's first sync"
if obj.status == nil then
  return hs
end
if obj.status.conditions ~= nil then
  for _, condition in ipairs(obj.status.conditions) do
    if condition.type ~= nil and errorConditions[condition.type] then
      hs.status = "Degraded"
      hs.message = condition.type .. ": " .. (condition.message or "")
      return hs
    end
  end
end
local op = obj.status.operationState
if obj.operation ~= nil or (op ~= nil and op.phase == "Running") or (op ~= nil and op.phase == "Terminating") then
  hs.message = "Sync operation running"
  return hs
end
if op ~= nil and op.phase ~= "Succeeded" then
  hs.status = "Degraded"
  hs.message = "Last sync " .. (op.phase or "unknown") .. ": " .. (op.message or "")
  return hs
end
if obj.status.sync == nil or obj.status.sync.status ~= "Synced" then
  hs.message = "Waiting for the Application to be Synced"
  return hs
end
if obj.status.health ~= nil and obj.status.health.status ~= nil then
  hs.status = obj.status.health.status
  hs.message = obj.status.health.message or ""
end
return hs
`;

/** `argocd-cm` data: the Application health check and resource tracking by annotation. */
export function argocdCmData(): Record<string, string> {
  return {
    // Annotation tracking leaves app.kubernetes.io/instance alone (ServiceMonitors select on it); 3.x's default,
    // pinned so an install that kept a 2.x argocd-cm does not fall back to label tracking.
    'application.resourceTrackingMethod': 'annotation',
    'resource.customizations.health.argoproj.io_Application': APPLICATION_HEALTH_LUA,
  };
}
