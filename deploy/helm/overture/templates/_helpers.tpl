{{/* Names: the release's full name, each part's name, and the labels every object carries. */}}
{{- define "overture.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "overture.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "overture.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "overture.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: overture
{{- end -}}

{{/* Selector labels of one part: call with (dict "root" $ "component" "console"). */}}
{{- define "overture.selectorLabels" -}}
app.kubernetes.io/name: {{ include "overture.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "overture.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "overture.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Where browsers reach the console: console.publicUrl, else https://<ingress host> when the Ingress is on, else empty. */}}
{{- define "overture.consolePublicUrl" -}}
{{- .Values.console.publicUrl | default (ternary (printf "https://%s" .Values.console.ingress.host) "" .Values.console.ingress.enabled) | trimSuffix "/" -}}
{{- end -}}

{{- define "overture.secretName" -}}
{{- default (printf "%s-secrets" (include "overture.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{/* The image of a part; call with (dict "root" $ "tag" "optional tag of an older build"). */}}
{{- define "overture.image" -}}
{{- $tag := .tag | default .root.Values.image.tag | default .root.Chart.AppVersion -}}
{{- printf "%s:%s" .root.Values.image.repository $tag -}}
{{- end -}}

{{/* This release's build id: worker.versioning.buildId, else the image tag. */}}
{{- define "overture.currentBuildId" -}}
{{- .Values.worker.versioning.buildId | default .Values.image.tag | default .Chart.AppVersion -}}
{{- end -}}

{{/*
The secret variables every part may read, each from the Secret (optional: a key that is absent leaves it unset).
Store URLs of the known shared stores are listed so an existingSecret may hold any of them; storeUrls and extra add theirs.
*/}}
{{- define "overture.secretVariables" -}}
{{- $names := list "OVERTURE_CODEC_KEYS" "EVENT_SOURCES" "TEMPORAL_API_KEY" "OIDC_CLIENT_SECRET" "SMTP_URL" "NOTIFY_WEBHOOK_URL" -}}
{{- $names = concat $names (list "LEDGER_URL" "DIRECTORY_URL" "SYSTEMS_URL" "OPERATORS_URL" "APPROVAL_LINKS_URL" "EVENT_RECEIPTS_URL" "KPIS_URL" "ACCOUNTING_URL" "WAREHOUSE_URL") -}}
{{- $names = concat $names (keys .Values.secrets.storeUrls) (keys .Values.secrets.extra) -}}
{{- toJson (uniq $names | sortAlpha) -}}
{{- end -}}

{{/* The environment of every part: the ConfigMap, then each secret variable by reference (never its value). */}}
{{- define "overture.env" -}}
{{- $secret := include "overture.secretName" . -}}
{{- range (include "overture.secretVariables" . | fromJsonArray) }}
- name: {{ . }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ . }}
      optional: true
{{- end }}
{{- end -}}

{{- define "overture.envFrom" -}}
- configMapRef:
    name: {{ include "overture.fullname" . }}-config
{{- end -}}

{{/* Probes on a named port: /healthz says alive, /readyz says ready to take work. */}}
{{- define "overture.probes" -}}
{{- $p := .root.Values.probes -}}
livenessProbe:
  httpGet: { path: /healthz, port: {{ .port }} }
  {{- toYaml $p.liveness | nindent 2 }}
readinessProbe:
  httpGet: { path: /readyz, port: {{ .port }} }
  {{- toYaml $p.readiness | nindent 2 }}
startupProbe:
  httpGet: { path: /healthz, port: {{ .port }} }
  {{- toYaml $p.startup | nindent 2 }}
{{- end -}}

{{/* Writable places under a read-only root: the data directory, /tmp, and the private copy of the TLS key. */}}
{{- define "overture.volumeMounts" -}}
- name: data
  mountPath: /data
- name: tmp
  mountPath: /tmp
- name: secret-files
  mountPath: /etc/overture/secrets
  readOnly: true
{{- if .Values.temporal.tls.existingSecret }}
- name: temporal-tls
  mountPath: /etc/overture/temporal-tls
  readOnly: true
{{- if .Values.temporal.tls.mutual }}
- name: private
  mountPath: /run/overture
  readOnly: true
{{- end }}
{{- end }}
{{- end -}}

{{- define "overture.volumes" -}}
- name: data
  emptyDir:
    sizeLimit: {{ .Values.dataVolume.sizeLimit }}
- name: tmp
  emptyDir:
    sizeLimit: 256Mi
- name: secret-files
  secret:
    secretName: {{ include "overture.secretName" . }}
    # Readable by the pod's group (fsGroup) only.
    defaultMode: 0440
    items:
      - key: approval-link-key
        path: approval-link-key
{{- if .Values.temporal.tls.existingSecret }}
- name: temporal-tls
  secret:
    secretName: {{ .Values.temporal.tls.existingSecret }}
    defaultMode: 0440
{{- if .Values.temporal.tls.mutual }}
- name: private
  emptyDir:
    medium: Memory
    sizeLimit: 1Mi
{{- end }}
{{- end }}
{{- end -}}

{{/*
Overture refuses a client key that others can read (mode 0600 only), and a Secret volume under fsGroup is group
readable: an init container copies the key into a memory volume with mode 0600, owned by the app user.
*/}}
{{- define "overture.initContainers" -}}
{{- if and .Values.temporal.tls.existingSecret .Values.temporal.tls.mutual }}
initContainers:
  - name: private-key
    image: {{ include "overture.image" (dict "root" .) }}
    imagePullPolicy: {{ .Values.image.pullPolicy }}
    command:
      - node
      - -e
      - "const fs = require('node:fs'); fs.copyFileSync('/etc/overture/temporal-tls/tls.key', '/run/overture/tls.key'); fs.chmodSync('/run/overture/tls.key', 0o600);"
    securityContext:
      {{- toYaml .Values.securityContext | nindent 6 }}
    resources:
      requests: { cpu: 10m, memory: 32Mi }
      limits: { memory: 64Mi }
    volumeMounts:
      - name: temporal-tls
        mountPath: /etc/overture/temporal-tls
        readOnly: true
      - name: private
        mountPath: /run/overture
{{- end }}
{{- end -}}

{{/* What every pod shares: service account, security context, image pull secrets, scheduling. */}}
{{- define "overture.podCommon" -}}
{{- $part := .part -}}
serviceAccountName: {{ include "overture.serviceAccountName" .root }}
automountServiceAccountToken: false
securityContext:
  {{- toYaml .root.Values.podSecurityContext | nindent 2 }}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $part.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $part.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $part.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
