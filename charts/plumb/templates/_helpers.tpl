{{/* Chart name, truncated to the 63 characters a label allows. */}}
{{- define "plumb.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of the release's objects. */}}
{{- define "plumb.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "plumb.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "plumb.selectorLabels" -}}
app.kubernetes.io/name: {{ include "plumb.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "plumb.labels" -}}
helm.sh/chart: {{ include "plumb.chart" . }}
{{ include "plumb.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: plumb
{{- end }}

{{- define "plumb.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "plumb.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The image reference: a digest pins it; else the tag, else the chart's appVersion. */}}
{{- define "plumb.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Where secret files are mounted. */}}
{{- define "plumb.secretDir" -}}/etc/plumb/secrets{{- end }}

{{/*
Environment shared by the operator and the migration Job: the database URL (from a Secret, never
a value), the schema, the token key file, logging. The migration Job runs before the ConfigMap
exists (pre-install hook), so these are inline.
*/}}
{{- define "plumb.commonEnv" -}}
- name: PLUMB_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ required "database.existingSecret is required: a Secret holding the PostgreSQL URL" .Values.database.existingSecret }}
      key: {{ .Values.database.urlKey }}
- name: PLUMB_SCHEMA
  value: {{ .Values.database.schema | quote }}
{{- if .Values.tokenKey.existingSecret }}
- name: PLUMB_TOKEN_KEY_FILE
  value: {{ printf "%s/token-key/%s" (include "plumb.secretDir" .) .Values.tokenKey.key | quote }}
{{- end }}
- name: PLUMB_LOG_FORMAT
  value: {{ .Values.operator.logFormat | quote }}
- name: PLUMB_LOG_LEVEL
  value: {{ .Values.operator.logLevel | quote }}
{{- end }}

{{- define "plumb.tokenKeyVolume" -}}
{{- if .Values.tokenKey.existingSecret }}
- name: token-key
  secret:
    secretName: {{ .Values.tokenKey.existingSecret }}
    defaultMode: 0440
    items:
      - key: {{ .Values.tokenKey.key }}
        path: {{ .Values.tokenKey.key }}
{{- end }}
{{- end }}

{{- define "plumb.tokenKeyMount" -}}
{{- if .Values.tokenKey.existingSecret }}
- name: token-key
  mountPath: {{ include "plumb.secretDir" . }}/token-key
  readOnly: true
{{- end }}
{{- end }}

{{/* Selects the operator's pods only (not the migration Job's). */}}
{{- define "plumb.operatorSelectorLabels" -}}
{{ include "plumb.selectorLabels" . }}
app.kubernetes.io/component: operator
{{- end }}
