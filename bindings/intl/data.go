package intl

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"sync"
)

// cldr.json.gz holds the slice of Unicode CLDR 48 (the version in Node 20's
// ICU 78) that this package formats with; internal/cldrgen makes it from the
// official cldr-json npm packages.
//
//go:generate sh -c "cd internal/cldrgen && npm ci --silent && node gen.mjs ../../cldr.json.gz"
//go:embed cldr.json.gz
var cldrGz []byte

type numberSystemData struct {
	Symbols  map[string]string `json:"symbols"`
	Decimal  map[string]any    `json:"decimal"`
	Percent  map[string]any    `json:"percent"`
	Currency map[string]any    `json:"currency"`
}

type localeData struct {
	Numbers struct {
		DefaultNumberingSystem string `json:"defaultNumberingSystem"`
		MinimumGroupingDigits  string `json:"minimumGroupingDigits"`
		Systems                map[string]*numberSystemData
	} `json:"numbers"`
	Currencies map[string]map[string]string            `json:"currencies"`
	Gregorian  map[string]json.RawMessage              `json:"gregorian"`
	Relative   map[string]map[string]json.RawMessage   `json:"relative"`
	Lists      map[string]map[string]string            `json:"lists"`
	Units      map[string]map[string]map[string]string `json:"units"`

	greg gregorianData
}

type gregorianData struct {
	Months      map[string]map[string]map[string]string `json:"months"`
	Days        map[string]map[string]map[string]string `json:"days"`
	DayPeriods  map[string]map[string]map[string]string `json:"dayPeriods"`
	Eras        map[string]map[string]string            `json:"eras"`
	DateFormats map[string]string                       `json:"dateFormats"`
	TimeFormats map[string]string                       `json:"timeFormats"`
	DateTime    struct {
		Full, Long, Medium, Short string
		AvailableFormats          map[string]string `json:"availableFormats"`
	} `json:"dateTimeFormats"`
	AtTime struct {
		Standard map[string]string `json:"standard"`
	} `json:"dateTimeFormats-atTime"`
}

type cldrData struct {
	CLDR         string                 `json:"cldr"`
	Locales      map[string]*localeData `json:"locales"`
	Supplemental struct {
		TimeData          map[string]map[string]string `json:"timeData"`
		CurrencyFractions map[string]map[string]string `json:"currencyFractions"`
		Digits            map[string]string            `json:"digits"`
		LikelySubtags     map[string]string            `json:"likelySubtags"`
		// kind (cardinal, ordinal) → language → categories it uses
		PluralCategories map[string]map[string]map[string]bool `json:"pluralCategories"`
	} `json:"supplemental"`
}

var loadCLDR = sync.OnceValues(func() (*cldrData, error) {
	zr, err := gzip.NewReader(bytes.NewReader(cldrGz))
	if err != nil {
		return nil, fmt.Errorf("intl: locale data: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("intl: locale data: %w", err)
	}
	var d cldrData
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("intl: locale data: %w", err)
	}
	// Numbering systems sit beside the scalar fields in the JSON.
	var systems struct {
		Locales map[string]struct {
			Numbers map[string]json.RawMessage `json:"numbers"`
		} `json:"locales"`
	}
	if err := json.Unmarshal(raw, &systems); err != nil {
		return nil, fmt.Errorf("intl: locale data: %w", err)
	}
	for name, loc := range d.Locales {
		loc.Numbers.Systems = map[string]*numberSystemData{}
		for key, msg := range systems.Locales[name].Numbers {
			if key == "defaultNumberingSystem" || key == "minimumGroupingDigits" {
				continue
			}
			var ns numberSystemData
			if err := json.Unmarshal(msg, &ns); err != nil {
				return nil, fmt.Errorf("intl: locale data %s numbers %s: %w", name, key, err)
			}
			loc.Numbers.Systems[key] = &ns
		}
		greg, _ := json.Marshal(loc.Gregorian)
		if err := json.Unmarshal(greg, &loc.greg); err != nil {
			return nil, fmt.Errorf("intl: locale data %s calendar: %w", name, err)
		}
	}
	return &d, nil
})

// str walks nested map[string]any and returns the string at path, or "".
func str(m map[string]any, path ...string) string {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = mm[p]
	}
	s, _ := cur.(string)
	return s
}
