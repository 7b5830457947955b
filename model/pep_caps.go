package model

import (
	"crypto/sha1"
	"encoding/base64"
	"slices"
	"strings"

	"github.com/beevik/etree"
)

// capsHash is the XEP-0115 §5.1 verification string of a disco#info
// answer, hashed with SHA-1 and base64-encoded (util.caps calculate_hash):
// the identities "category/type/lang/name<" sorted, then the features
// "var<" sorted, then each extended form by FORM_TYPE: "FORM_TYPE<", then
// its fields sorted by var, "var<" and their values sorted, each "value<".
func capsHash(q *etree.Element) string {
	var ids, features []string
	type form struct {
		typ    string
		fields []string
	}
	var forms []form
	for _, c := range childElements(q) {
		switch {
		case c.Tag == "identity":
			ids = append(ids, attrOr(c, "category")+"/"+attrOr(c, "type")+"/"+attrOr(c, "xml:lang")+"/"+attrOr(c, "name")+"<")
		case c.Tag == "feature":
			features = append(features, attrOr(c, "var")+"<")
		case c.Tag == "x" && ns(c) == nsData:
			var f form
			for _, fe := range childElements(c) {
				if fe.Tag != "field" {
					continue
				}
				var vals []string
				for _, v := range childElements(fe) {
					if v.Tag == "value" {
						vals = append(vals, v.Text()+"<")
					}
				}
				if attrOr(fe, "var") == "FORM_TYPE" {
					f.typ = strings.Join(vals, "")
					continue
				}
				slices.Sort(vals)
				f.fields = append(f.fields, attrOr(fe, "var")+"<"+strings.Join(vals, ""))
			}
			slices.Sort(f.fields)
			forms = append(forms, f)
		}
	}
	slices.Sort(ids)
	slices.Sort(features)
	slices.SortFunc(forms, func(a, b form) int { return strings.Compare(a.typ, b.typ) })
	var b strings.Builder
	for _, s := range ids {
		b.WriteString(s)
	}
	for _, s := range features {
		b.WriteString(s)
	}
	for _, f := range forms {
		b.WriteString(f.typ)
		for _, s := range f.fields {
			b.WriteString(s)
		}
	}
	sum := sha1.Sum([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(sum[:])
}
