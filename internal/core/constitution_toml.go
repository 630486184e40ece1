package core

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/BurntSushi/toml"
)

// ParseConstitutionTOML decodes a constitution written in TOML, as
// "folkmoot init --constitution" reads it. Its keys are those of the
// genesis JSON, so the TOML is turned into JSON and decoded strictly, as
// ParseGenesis decodes: a misspelt key is an error, not a silent default.
// It does not validate: init applies its flags first, and ParseGenesis
// validates the result.
func ParseConstitutionTOML(data []byte) (Constitution, error) {
	var c Constitution
	var m map[string]any
	if _, err := toml.Decode(string(data), &m); err != nil {
		return c, err
	}
	b, err := json.Marshal(m)
	if err != nil {
		return c, fmt.Errorf("constitution as JSON: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, err
	}
	return c, nil
}
