{{/*
The Deployment and Service of an HTTP part (the console, the event gateway): call with
(dict "root" $ "component" "console" "part" .Values.console "metricsVariable" "CONSOLE_METRICS_PORT"). Its probes
use the part's own port; its metrics, when part.metricsPort is set, a port apart (no session needed to scrape).
*/}}
{{- define "overture.httpPart" -}}
{{- $root := .root -}}
{{- $part := .part -}}
{{- $name := printf "%s-%s" (include "overture.fullname" $root) .component -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $name }}
  labels:
    {{- include "overture.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
spec:
  replicas: {{ $part.replicas }}
  revisionHistoryLimit: 3
  strategy:
    type: RollingUpdate
    rollingUpdate: { maxUnavailable: 0, maxSurge: 1 }
  selector:
    matchLabels:
      {{- include "overture.selectorLabels" (dict "root" $root "component" .component) | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "overture.selectorLabels" (dict "root" $root "component" .component) | nindent 8 }}
      annotations:
        checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
        checksum/secret: {{ include (print $root.Template.BasePath "/secret.yaml") $root | sha256sum }}
        {{- if gt (int $part.metricsPort) 0 }}
        prometheus.io/scrape: "true"
        prometheus.io/port: {{ $part.metricsPort | quote }}
        prometheus.io/path: /metrics
        {{- end }}
        {{- with $part.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      {{- include "overture.podCommon" (dict "root" $root "part" $part) | nindent 6 }}
      {{- include "overture.initContainers" $root | nindent 6 }}
      containers:
        - name: {{ .component }}
          image: {{ include "overture.image" (dict "root" $root) }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          command:
            {{- toYaml $part.command | nindent 12 }}
          envFrom:
            {{- include "overture.envFrom" $root | nindent 12 }}
          env:
            {{- if gt (int $part.metricsPort) 0 }}
            - name: {{ .metricsVariable }}
              value: {{ $part.metricsPort | quote }}
            {{- end }}
            {{- include "overture.env" $root | nindent 12 }}
          ports:
            - name: http
              containerPort: {{ $part.port }}
            {{- if gt (int $part.metricsPort) 0 }}
            - name: metrics
              containerPort: {{ $part.metricsPort }}
            {{- end }}
          {{- include "overture.probes" (dict "root" $root "port" "http") | nindent 10 }}
          resources:
            {{- toYaml $part.resources | nindent 12 }}
          securityContext:
            {{- toYaml $root.Values.securityContext | nindent 12 }}
          volumeMounts:
            {{- include "overture.volumeMounts" $root | nindent 12 }}
      volumes:
        {{- include "overture.volumes" $root | nindent 8 }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $name }}
  labels:
    {{- include "overture.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
spec:
  type: {{ $part.service.type }}
  selector:
    {{- include "overture.selectorLabels" (dict "root" $root "component" .component) | nindent 4 }}
  ports:
    - name: http
      port: {{ $part.service.port }}
      targetPort: http
{{- end -}}
