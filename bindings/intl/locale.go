package intl

import (
	"strings"

	"golang.org/x/text/language"
)

// defaultLocale is what an empty or unsupported request resolves to, as in
// a V8 whose host locale is en-US (workerd's and Node's in containers).
const defaultLocale = "en-US"

// locale is a resolved request: the tag reported by resolvedOptions and the
// CLDR data used for it.
type locale struct {
	tag    language.Tag
	name   string // canonical BCP 47 tag as requested, e.g. "de-DE"
	data   *localeData
	region string // explicit or likely region, e.g. "DE"
	lang   string
}

// resolveLocale implements BestAvailableLocale over requested (already a
// list of strings) with lookup fallback: "pt-BR" uses "pt", "ar-EG" its own.
func resolveLocale(cldr *cldrData, requested []string) (*locale, error) {
	for _, r := range requested {
		tag, err := language.Parse(r)
		if err != nil {
			return nil, &rangeError{"Incorrect locale information provided"}
		}
		if l := lookupLocale(cldr, tag); l != nil {
			return l, nil
		}
	}
	return lookupLocale(cldr, language.MustParse(defaultLocale)), nil
}

func lookupLocale(cldr *cldrData, tag language.Tag) *locale {
	base, _ := tag.Base()
	region, conf := tag.Region()
	// Drop extensions (-u-…) from the reported tag; we do not honour them.
	name := base.String()
	if script, c := tag.Script(); c == language.Exact {
		name += "-" + script.String()
	}
	if conf == language.Exact {
		name += "-" + region.String()
	}
	for _, key := range []string{name, base.String() + "-" + region.String(), base.String()} {
		if d, ok := cldr.Locales[key]; ok {
			l := &locale{tag: tag, name: name, data: d, lang: base.String()}
			if conf == language.Exact {
				l.region = region.String()
			} else if likely, ok := cldr.Supplemental.LikelySubtags[base.String()]; ok {
				parts := strings.Split(likely, "-")
				l.region = parts[len(parts)-1]
			}
			return l
		}
	}
	return nil
}

type rangeError struct{ msg string }

func (e *rangeError) Error() string { return e.msg }

type typeError struct{ msg string }

func (e *typeError) Error() string { return e.msg }
