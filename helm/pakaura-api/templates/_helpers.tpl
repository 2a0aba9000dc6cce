{{- define "pakaura-api.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "pakaura-api.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "pakaura-api.labels" -}}
app.kubernetes.io/name: {{ include "pakaura-api.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "pakaura-api.selectorLabels" -}}
app.kubernetes.io/name: {{ include "pakaura-api.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "pakaura-api.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "pakaura-api.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* "true" when tokens come from an identity provider rather than the shared secret */}}
{{- define "pakaura-api.identityProvider" -}}
{{- if or .Values.auth.issuerUri .Values.auth.jwkSetUri -}}true{{- end -}}
{{- end -}}
