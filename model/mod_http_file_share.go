package model

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/beevik/etree"
)

const nsHTTPUpload = "urn:xmpp:http:upload:0"

// The upload component's configuration: the upstream test
// configuration's http_file_share_size_limit and allowed types, and
// mod_http_file_share's defaults (expiry one week, token valid ten
// minutes, served at Prosody's default http port under /file_share).
var (
	uploadSizeLimit    = 10000000
	uploadAllowedTypes = []string{"text/plain", "image/*"}
)

const (
	uploadExpiry     = 7 * 24 * 3600
	uploadTokenValid = 600
	uploadBaseURL    = "http://%s:5280/file_share/"
	// uploadSecret signs slot tokens. Prosody draws a random secret at
	// start; the model's is fixed, so its tokens are reproducible.
	uploadSecret = "scansim-http-file-share"
)

// mod_http_file_share (XEP-0363) on its component: the store/file
// identity, the upload namespace, a result form with max-file-size, and
// slot requests (iq get <request filename size content-type/>).
//
// A request is refused, in this order, when: the filename is missing or
// holds '/' (bad-request "Invalid filename"); the size is not a
// non-negative integer (bad-request "File size must be positive
// integer"); it exceeds the limit (not-acceptable "File too large" with
// <file-too-large><max-file-size/></file-too-large>, XEP-0363 §4); the
// content type (default application/octet-stream) is neither an allowed
// type nor matches an allowed "major/*" (not-acceptable "File type not
// allowed"). Only the server's own users may upload: anything the host
// itself posts is forbidden. Otherwise the slot is a random id; the GET
// and PUT URLs are the same, <base>/<slot>/<filename, percent-encoded as
// a path segment>, and the PUT carries an Authorization header "Bearer
// <JWT>" (HS256; sub, slot, expires, filename, filesize, filetype, iat,
// exp). Verified on 13.0.1 (the URL there has the test's http port); the
// daily quota (ten times the size limit) is not modelled.
var _ = register(&builtin{name: "http_file_share", load: func(s *Server, m *ModuleAPI) {
	if !m.IsComponent() {
		return // Prosody loads it as a component's module only
	}
	m.AddIdentity("store", "file", "HTTP File Upload")
	m.AddFeature(nsHTTPUpload)
	x := etree.NewElement("x")
	x.CreateAttr("xmlns", formsNS)
	x.CreateAttr("type", "result")
	hiddenField(x, "FORM_TYPE", nsHTTPUpload)
	f := x.CreateElement("field")
	f.CreateAttr("type", "text-single")
	f.CreateAttr("var", "max-file-size")
	f.CreateElement("value").SetText(strconv.Itoa(uploadSizeLimit))
	m.AddExtension(x)
	m.componentIQ(false, nsHTTPUpload, "request", uploadSlot)
}})

func uploadSlot(e *HookEvent) bool {
	st, q := e.stanza, e.query
	refuse := func(typ, cond, text string, app *etree.Element) bool {
		e.send(errorReply(st, typ, cond, text, app), "error")
		return true
	}
	if e.origin.sess == nil {
		return refuse("auth", "forbidden", "", nil)
	}
	filename, ok := attr(q, "filename")
	if !ok || strings.Contains(filename, "/") {
		return refuse("modify", "bad-request", "Invalid filename", nil)
	}
	size, err := strconv.ParseFloat(strings.TrimSpace(attrOr(q, "size")), 64)
	if err != nil || size < 0 || size != math.Trunc(size) || math.IsInf(size, 0) {
		return refuse("modify", "bad-request", "File size must be positive integer", nil)
	}
	if size > float64(uploadSizeLimit) {
		app := etree.NewElement("file-too-large")
		app.CreateAttr("xmlns", nsHTTPUpload)
		app.CreateElement("max-file-size").SetText(strconv.Itoa(uploadSizeLimit))
		return refuse("modify", "not-acceptable", "File too large", app)
	}
	ctype := attrOr(q, "content-type")
	if ctype == "" {
		if _, ok := attr(q, "content-type"); !ok {
			ctype = "application/octet-stream"
		}
	}
	if !uploadTypeAllowed(ctype) {
		return refuse("modify", "not-acceptable", "File type not allowed", nil)
	}
	var raw [18]byte
	for i := range raw {
		raw[i] = byte(e.s.rng.UintN(256))
	}
	slot := base64.RawURLEncoding.EncodeToString(raw[:])
	url := fmt.Sprintf(uploadBaseURL, bareOf(attrOr(st, "to"))) + slot + "/" + protectSegment(filename)
	now := e.s.now().Unix()
	token := uploadToken(map[string]any{
		"sub": bareOf(attrOr(st, "from")), "slot": slot, "expires": now + uploadExpiry,
		"filename": filename, "filesize": int64(size), "filetype": ctype,
		"iat": now, "exp": now + uploadTokenValid,
	})
	r := reply(st)
	sl := newNS(r, "slot", nsHTTPUpload)
	sl.CreateElement("get").CreateAttr("url", url)
	put := sl.CreateElement("put")
	put.CreateAttr("url", url)
	h := put.CreateElement("header")
	h.CreateAttr("name", "Authorization")
	h.SetText("Bearer " + token)
	e.send(r, "result")
	return true
}

// uploadTypeAllowed: the type, or its "major/*", is allowed.
func uploadTypeAllowed(t string) bool {
	major := t
	if i := strings.IndexByte(t, '/'); i >= 0 {
		major = t[:i] + "/*"
	}
	for _, a := range uploadAllowedTypes {
		if a == t || a == major {
			return true
		}
	}
	return false
}

// protectSegment percent-encodes a URL path segment as LuaSocket's
// url.build_path does: letters, digits and -_.!~*'():@&=+$, stay.
func protectSegment(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.!~*'():@&=+$,", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// uploadToken is an HS256 JWT of claims (JSON with sorted keys).
func uploadToken(claims map[string]any) string {
	head := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	body, _ := json.Marshal(claims) // encoding/json writes map keys sorted
	msg := head + "." + base64.RawURLEncoding.EncodeToString(body)
	mac := hmac.New(sha256.New, []byte(uploadSecret))
	mac.Write([]byte(msg))
	return msg + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}
