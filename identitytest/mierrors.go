package identitytest

import (
	"fmt"
	"net/http"
	"strings"
)

// The managed identity sources' error answers: each source's shape, and
// the refusals several checks share.

// errorShape is how a source writes its error answers.
type errorShape int

const (
	// shapeIMDS: {"error":"invalid_request","error_description":"Identity
	// not found"} (PROTOCOL 7.3). Azure Arc's agent imitates IMDS.
	shapeIMDS errorShape = iota
	// shapeAppService: {"statusCode":400,"message":"...","correlationId":
	// "..."} (PROTOCOL 7.4). PROTOCOL 7.8 gives none for Azure ML, whose
	// endpoint speaks App Service's 2017-09-01 protocol; the fake uses
	// this one.
	shapeAppService
	// shapeCloudShell: {"error":{"code":"...","message":"..."}} (7.6).
	shapeCloudShell
	// shapeServiceFabric: {"error":{"correlationId":"...","code":"...",
	// "message":"..."}} (7.7).
	shapeServiceFabric
)

// miError is a refusal, written in the source's error shape.
type miError struct {
	status int
	code   string // the source's error code, where its shape has one
	msg    string
	body   any // when set, sent as it is instead of the shape
}

// refuse builds a miError; the message is formatted from args, which never
// hold a secret.
func refuse(status int, code, format string, args ...any) *miError {
	return &miError{status: status, code: code, msg: fmt.Sprintf(format, args...)}
}

// identityNotFound is each source's answer for an identity the host does
// not have.
func (m *ManagedIdentity) identityNotFound() *miError {
	switch m.spec.shape {
	case shapeIMDS:
		// PROTOCOL 7.3: 400 {"error":"invalid_request",
		// "error_description":"Identity not found"}.
		return refuse(http.StatusBadRequest, "invalid_request", "Identity not found")
	case shapeServiceFabric:
		return refuse(http.StatusNotFound, "ManagedIdentityNotFound", "Managed identity not found for the specified application host.")
	case shapeCloudShell:
		return refuse(http.StatusBadRequest, "BadRequest", "No identity is signed in to this Cloud Shell.")
	}
	// PROTOCOL 7.4: "400 for an unknown identity".
	return refuse(http.StatusBadRequest, "BadRequest", "No Managed Identity found for specified ClientId/ResourceId/PrincipalId.")
}

// badRequest is a 400 in the source's shape, code invalid_request (IMDS)
// or BadRequest.
func (m *ManagedIdentity) badRequest(format string, args ...any) *miError {
	code := "BadRequest"
	if m.spec.shape == shapeIMDS {
		code = "invalid_request"
	}
	return refuse(http.StatusBadRequest, code, format, args...)
}

// writeError sends e in the source's error shape.
func (m *ManagedIdentity) writeError(w http.ResponseWriter, e *miError) {
	body := e.body
	if body == nil {
		body = m.errorBody(e.status, e.code, e.msg)
	}
	writeJSON(w, e.status, body)
}

// errorBody is an error answer in the source's shape.
func (m *ManagedIdentity) errorBody(status int, code, msg string) any {
	switch m.spec.shape {
	case shapeAppService:
		return map[string]any{"statusCode": status, "message": msg, "correlationId": newGUID()}
	case shapeCloudShell:
		return map[string]any{"error": map[string]any{"code": code, "message": msg}}
	case shapeServiceFabric:
		return map[string]any{"error": map[string]any{"correlationId": newGUID(), "code": code, "message": msg}}
	}
	return map[string]any{"error": code, "error_description": msg}
}

// faultAnswers are the source's answers for a Fault: a Status alone gets
// the source's error shape with the status's name as its code
// ("too_many_requests" in IMDS's shape, "TooManyRequests" in the others).
func (m *ManagedIdentity) faultAnswers() faultAnswers {
	exp := m.opts.Now().Add(m.opts.TokenLifetime)
	on := jsonText(m.expiresOn(exp))
	return faultAnswers{
		errorBody: func(status int) any {
			text := http.StatusText(status)
			code := strings.ReplaceAll(text, " ", "")
			if m.spec.shape == shapeIMDS {
				code = strings.ToLower(strings.ReplaceAll(text, " ", "_"))
			}
			return m.errorBody(status, code, text)
		},
		tokenHead: `{"token_type":"Bearer","expires_on":` + on + `,"resource":"https://management.azure.com","access_token":"`,
	}
}
