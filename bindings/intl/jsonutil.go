package intl

import "encoding/json"

func jsonUnquote(raw json.RawMessage, s *string) error { return json.Unmarshal(raw, s) }

func jsonUnmarshal(raw json.RawMessage, v any) error { return json.Unmarshal(raw, v) }
