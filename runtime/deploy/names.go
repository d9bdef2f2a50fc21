package deploy

import (
	"fmt"
	"regexp"
	"sort"
)

// projectName is what PartyKit allows (config.ts: /^[a-zA-Z0-9-]+$/ and the
// schema's lowercase rule) narrowed to a DNS label, because with --domain a
// project is reached at <name>.<domain>.
var projectName = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// partyName is the schema's rule for party names.
var partyName = regexp.MustCompile(`^[a-z0-9_-]{1,64}$`)

// ValidateName checks a project name.
func ValidateName(name string) error {
	if !projectName.MatchString(name) {
		return fmt.Errorf("invalid project name %q: use 1-63 lowercase letters, digits and dashes, not starting or ending with a dash", name)
	}
	return nil
}

func validateParty(name string) error {
	if !partyName.MatchString(name) {
		return fmt.Errorf("invalid party name %q: use lowercase letters, digits, '_' and '-'", name)
	}
	return nil
}

func sortStrings(s []string) { sort.Strings(s) }
