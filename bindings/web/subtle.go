package web

import (
	"context"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"math/big"
	"slices"
	"strings"

	"github.com/dop251/goja"
)

var subtleModule = &jsModule{file: "subtle.js"}

// cryptoKey is the Go side of a CryptoKey. Exactly one of secret, priv or
// pub is set (pub also for a private key's public half).
type cryptoKey struct {
	alg         string // canonical name: "HMAC", "ECDSA", "Ed25519", ...
	hash        string // "SHA-256" for HMAC and RSA keys
	curve       string // "P-256" ... for ECDSA
	typ         string // "secret", "private", "public"
	extractable bool
	usages      []string
	secret      []byte
	priv        crypto.Signer
	pub         crypto.PublicKey
}

// subtleError is a failure with its DOMException name.
type subtleError struct{ name, msg string }

func (e *subtleError) Error() string { return e.msg }

func notSupported(format string, a ...any) error {
	return &subtleError{"NotSupportedError", fmt.Sprintf(format, a...)}
}
func dataError(format string, a ...any) error {
	return &subtleError{"DataError", fmt.Sprintf(format, a...)}
}
func accessError(format string, a ...any) error {
	return &subtleError{"InvalidAccessError", fmt.Sprintf(format, a...)}
}
func opError(format string, a ...any) error {
	return &subtleError{"OperationError", fmt.Sprintf(format, a...)}
}

var algNames = []string{"HMAC", "ECDSA", "Ed25519", "RSASSA-PKCS1-v1_5", "RSA-PSS", "RSA-OAEP", "AES-GCM", "AES-CBC", "AES-CTR", "PBKDF2", "HKDF", "SHA-1", "SHA-256", "SHA-384", "SHA-512", "MD5"}

// canonicalAlg matches algorithm names case-insensitively, as WebCrypto does.
func canonicalAlg(name string) (string, error) {
	for _, n := range algNames {
		if strings.EqualFold(n, name) {
			return n, nil
		}
	}
	if strings.EqualFold(name, "NODE-ED25519") {
		return "Ed25519", nil // workerd's pre-standard alias
	}
	return "", notSupported("Unrecognized or unimplemented algorithm %q", name)
}

func newHash(name string) (func() hash.Hash, crypto.Hash, error) {
	n, err := canonicalAlg(name)
	if err != nil {
		return nil, 0, err
	}
	switch n {
	case "SHA-1":
		return sha1.New, crypto.SHA1, nil
	case "SHA-256":
		return sha256.New, crypto.SHA256, nil
	case "SHA-384":
		return sha512.New384, crypto.SHA384, nil
	case "SHA-512":
		return sha512.New, crypto.SHA512, nil
	case "MD5":
		return md5.New, crypto.MD5, nil
	}
	return nil, 0, notSupported("%q is not a digest algorithm", name)
}

func curveOf(name string) (elliptic.Curve, error) {
	switch name {
	case "P-256":
		return elliptic.P256(), nil
	case "P-384":
		return elliptic.P384(), nil
	case "P-521":
		return elliptic.P521(), nil
	}
	return nil, notSupported("Unsupported namedCurve %q", name)
}

// subtleParams is a normalised algorithm argument read on the loop.
type subtleParams struct {
	obj  *goja.Object
	name string
}

func (g *Globals) params(v goja.Value) (subtleParams, error) {
	o := v.ToObject(g.vm)
	name, err := canonicalAlg(o.Get("name").String())
	return subtleParams{obj: o, name: name}, err
}

func (p subtleParams) str(key string) string {
	v := p.obj.Get(key)
	if v == nil || goja.IsUndefined(v) {
		return ""
	}
	return v.String()
}

func (p subtleParams) int(key string) int {
	v := p.obj.Get(key)
	if v == nil || goja.IsUndefined(v) {
		return 0
	}
	return int(v.ToInteger())
}

func (g *Globals) buildSubtle() goja.Value {
	exp := g.module(subtleModule, g.subtleNatives)
	return exp.Get("subtle")
}

func (g *Globals) buildSubtleClasses() []goja.Value {
	return exports(g.module(subtleModule, g.subtleNatives), "SubtleCrypto", "CryptoKey")
}

func (g *Globals) subtleNatives() *goja.Object {
	n := g.vm.NewObject()
	// wrap turns a Go error into a thrown DOMException (a rejection, since
	// every caller is an async method).
	wrap := func(fn func(c goja.FunctionCall) (goja.Value, error)) func(goja.FunctionCall) goja.Value {
		return func(c goja.FunctionCall) goja.Value {
			v, err := fn(c)
			if err != nil {
				panic(g.subtleException(err))
			}
			return v
		}
	}
	bytesArg := func(v goja.Value) ([]byte, error) {
		b, ok := g.bufferSourceCopy(v)
		if !ok {
			return nil, &subtleError{"TypeError", "expected an ArrayBuffer or ArrayBufferView"}
		}
		return b, nil
	}
	key := func(v goja.Value, usage, alg string) (*cryptoKey, error) {
		k, ok := v.Export().(*cryptoKey)
		if !ok {
			return nil, &subtleError{"TypeError", "not a CryptoKey"}
		}
		if alg != "" && k.alg != alg {
			return nil, accessError("The key is for %s, not %s", k.alg, alg)
		}
		if usage != "" && !slices.Contains(k.usages, usage) {
			return nil, accessError("The key does not allow %q", usage)
		}
		return k, nil
	}

	_ = n.Set("digest", wrap(func(c goja.FunctionCall) (goja.Value, error) {
		h, _, err := newHash(c.Argument(0).String())
		if err != nil {
			return nil, err
		}
		data, err := bytesArg(c.Argument(1))
		if err != nil {
			return nil, err
		}
		hh := h()
		hh.Write(data)
		return g.newArrayBuffer(hh.Sum(nil)), nil
	}))
	_ = n.Set("hashBits", func(c goja.FunctionCall) goja.Value {
		h, _, err := newHash(c.Argument(0).String())
		if err != nil {
			panic(g.subtleException(err))
		}
		return g.vm.ToValue(h().BlockSize() * 8)
	})
	_ = n.Set("importKey", wrap(func(c goja.FunctionCall) (goja.Value, error) {
		p, err := g.params(c.Argument(2))
		if err != nil {
			return nil, err
		}
		var usages []string
		_ = g.vm.ExportTo(c.Argument(4), &usages)
		k, err := g.importKey(c.Argument(0).String(), c.Argument(1), p)
		if err != nil {
			return nil, err
		}
		k.extractable = c.Argument(3).ToBoolean() || k.typ == "public"
		k.usages = usages
		return g.makeCryptoKey(c.Argument(5), k)
	}))
	_ = n.Set("exportKey", wrap(func(c goja.FunctionCall) (goja.Value, error) {
		k, err := key(c.Argument(1), "", "")
		if err != nil {
			return nil, err
		}
		if !k.extractable {
			return nil, accessError("The key is not extractable")
		}
		return g.exportKey(c.Argument(0).String(), k)
	}))
	_ = n.Set("generateKey", wrap(func(c goja.FunctionCall) (goja.Value, error) {
		p, err := g.params(c.Argument(0))
		if err != nil {
			return nil, err
		}
		var usages []string
		_ = g.vm.ExportTo(c.Argument(2), &usages)
		return g.generateKey(p, c.Argument(1).ToBoolean(), usages, c.Argument(3))
	}))
	_ = n.Set("sign", wrap(func(c goja.FunctionCall) (goja.Value, error) {
		p, err := g.params(c.Argument(0))
		if err != nil {
			return nil, err
		}
		k, err := key(c.Argument(1), "sign", p.name)
		if err != nil {
			return nil, err
		}
		data, err := bytesArg(c.Argument(2))
		if err != nil {
			return nil, err
		}
		sig, err := signWith(p, k, data)
		if err != nil {
			return nil, err
		}
		return g.newArrayBuffer(sig), nil
	}))
	_ = n.Set("verify", wrap(func(c goja.FunctionCall) (goja.Value, error) {
		p, err := g.params(c.Argument(0))
		if err != nil {
			return nil, err
		}
		k, err := key(c.Argument(1), "verify", p.name)
		if err != nil {
			return nil, err
		}
		sig, err := bytesArg(c.Argument(2))
		if err != nil {
			return nil, err
		}
		data, err := bytesArg(c.Argument(3))
		if err != nil {
			return nil, err
		}
		ok, err := verifyWith(p, k, sig, data)
		return g.vm.ToValue(ok), err
	}))
	crypt := func(encrypt bool) func(c goja.FunctionCall) (goja.Value, error) {
		usage := "decrypt"
		if encrypt {
			usage = "encrypt"
		}
		return func(c goja.FunctionCall) (goja.Value, error) {
			p, err := g.params(c.Argument(0))
			if err != nil {
				return nil, err
			}
			k, err := key(c.Argument(1), usage, p.name)
			if err != nil {
				return nil, err
			}
			data, err := bytesArg(c.Argument(2))
			if err != nil {
				return nil, err
			}
			var extra [2][]byte // iv/counter, additionalData
			for i, name := range []string{"iv", "additionalData"} {
				if p.name == "AES-CTR" && name == "iv" {
					name = "counter"
				}
				if v := p.obj.Get(name); v != nil && !goja.IsUndefined(v) {
					if extra[i], err = bytesArg(v); err != nil {
						return nil, err
					}
				}
			}
			out, err := aesCrypt(p, k, data, extra[0], extra[1], encrypt)
			if err != nil {
				return nil, err
			}
			return g.newArrayBuffer(out), nil
		}
	}
	_ = n.Set("encrypt", wrap(crypt(true)))
	_ = n.Set("decrypt", wrap(crypt(false)))
	_ = n.Set("deriveBits", wrap(func(c goja.FunctionCall) (goja.Value, error) {
		p, err := g.params(c.Argument(0))
		if err != nil {
			return nil, err
		}
		k, err := key(c.Argument(1), "", p.name)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(k.usages, "deriveBits") && !slices.Contains(k.usages, "deriveKey") {
			return nil, accessError("The key does not allow deriving")
		}
		bits := int(c.Argument(2).ToInteger())
		if bits <= 0 || bits%8 != 0 {
			return nil, opError("The length must be a positive multiple of 8")
		}
		var salt, info []byte
		if v := p.obj.Get("salt"); v != nil && !goja.IsUndefined(v) {
			if salt, err = bytesArg(v); err != nil {
				return nil, err
			}
		}
		if v := p.obj.Get("info"); v != nil && !goja.IsUndefined(v) {
			if info, err = bytesArg(v); err != nil {
				return nil, err
			}
		}
		h, _, err := newHash(p.str("hash"))
		if err != nil {
			return nil, err
		}
		var out []byte
		switch p.name {
		case "PBKDF2":
			out, err = pbkdf2.Key(h, string(k.secret), salt, p.int("iterations"), bits/8)
		case "HKDF":
			out, err = hkdf.Key(h, k.secret, salt, string(info), bits/8)
		default:
			return nil, notSupported("deriveBits is not supported for %s", p.name)
		}
		if err != nil {
			return nil, opError("%v", err)
		}
		return g.newArrayBuffer(out), nil
	}))
	return n
}

// subtleException converts a Go error to the DOMException (or TypeError)
// WebCrypto would throw.
func (g *Globals) subtleException(err error) goja.Value {
	var se *subtleError
	if errors.As(err, &se) {
		if se.name == "TypeError" {
			return g.vm.NewTypeError(se.msg)
		}
		return g.newDOMException(se.msg, se.name)
	}
	return g.newDOMException(err.Error(), "OperationError")
}

// makeCryptoKey builds the JS CryptoKey for k with the module's factory.
func (g *Globals) makeCryptoKey(factory goja.Value, k *cryptoKey) (goja.Value, error) {
	newKey, ok := goja.AssertFunction(factory)
	if !ok {
		return nil, errors.New("no CryptoKey factory")
	}
	usages := make([]any, 0, len(k.usages))
	for _, u := range k.usages {
		usages = append(usages, u)
	}
	v, err := newKey(goja.Undefined(), g.vm.ToValue(k), g.vm.ToValue(k.typ), g.vm.ToValue(k.extractable),
		g.keyAlgorithm(k), g.vm.NewArray(usages...))
	if err != nil {
		return nil, err
	}
	return v, nil
}

// keyAlgorithm is the CryptoKey.algorithm dictionary.
func (g *Globals) keyAlgorithm(k *cryptoKey) goja.Value {
	a := g.vm.NewObject()
	_ = a.Set("name", k.alg)
	hashObj := func() goja.Value {
		h := g.vm.NewObject()
		_ = h.Set("name", k.hash)
		return h
	}
	switch k.alg {
	case "HMAC":
		_ = a.Set("hash", hashObj())
		_ = a.Set("length", len(k.secret)*8)
	case "AES-GCM", "AES-CBC", "AES-CTR":
		_ = a.Set("length", len(k.secret)*8)
	case "ECDSA":
		_ = a.Set("namedCurve", k.curve)
	case "RSASSA-PKCS1-v1_5", "RSA-PSS", "RSA-OAEP":
		pub := k.pub.(*rsa.PublicKey)
		_ = a.Set("modulusLength", pub.N.BitLen())
		_ = a.Set("publicExponent", g.newUint8Array(big.NewInt(int64(pub.E)).Bytes()))
		_ = a.Set("hash", hashObj())
	}
	return a
}

var b64url = base64.RawURLEncoding

func (g *Globals) importKey(format string, data goja.Value, p subtleParams) (*cryptoKey, error) {
	k := &cryptoKey{alg: p.name}
	if h := p.str("hash"); h != "" {
		name, err := canonicalAlg(h)
		if err != nil {
			return nil, err
		}
		k.hash = name
	}
	var raw []byte
	var jwk map[string]any
	if format == "jwk" {
		o, ok := data.(*goja.Object)
		if !ok {
			return nil, &subtleError{"TypeError", "a jwk key must be an object"}
		}
		jwk, _ = o.Export().(map[string]any)
	} else {
		b, ok := g.bufferSourceCopy(data)
		if !ok {
			return nil, &subtleError{"TypeError", "key data must be an ArrayBuffer or ArrayBufferView"}
		}
		raw = b
	}
	jwkBytes := func(field string) ([]byte, error) {
		s, _ := jwk[field].(string)
		if s == "" {
			return nil, dataError("The JWK is missing %q", field)
		}
		b, err := b64url.DecodeString(strings.TrimRight(s, "="))
		if err != nil {
			return nil, dataError("The JWK's %q is not base64url", field)
		}
		return b, nil
	}
	switch p.name {
	case "HMAC", "AES-GCM", "AES-CBC", "AES-CTR", "PBKDF2", "HKDF":
		k.typ = "secret"
		switch format {
		case "raw":
			k.secret = raw
		case "jwk":
			b, err := jwkBytes("k")
			if err != nil {
				return nil, err
			}
			k.secret = b
		default:
			return nil, notSupported("%s keys cannot be imported as %q", p.name, format)
		}
		if strings.HasPrefix(p.name, "AES") && len(k.secret) != 16 && len(k.secret) != 24 && len(k.secret) != 32 {
			return nil, dataError("AES keys must be 128, 192 or 256 bits")
		}
		if p.name == "HMAC" && k.hash == "" {
			return nil, &subtleError{"TypeError", "HMAC needs a hash"}
		}
		return k, nil
	case "ECDSA":
		k.curve = p.str("namedCurve")
		curve, err := curveOf(k.curve)
		if err != nil {
			return nil, err
		}
		switch format {
		case "raw":
			pub, err := ecdsa.ParseUncompressedPublicKey(curve, raw)
			if err != nil {
				return nil, dataError("Invalid EC public key: %v", err)
			}
			k.typ, k.pub = "public", pub
		case "jwk":
			x, err := jwkBytes("x")
			if err != nil {
				return nil, err
			}
			y, err := jwkBytes("y")
			if err != nil {
				return nil, err
			}
			pub, err := ecdsa.ParseUncompressedPublicKey(curve, append(append([]byte{4}, x...), y...))
			if err != nil {
				return nil, dataError("Invalid EC JWK: %v", err)
			}
			k.typ, k.pub = "public", pub
			if _, ok := jwk["d"]; ok {
				d, err := jwkBytes("d")
				if err != nil {
					return nil, err
				}
				priv, err := ecdsa.ParseRawPrivateKey(curve, d)
				if err != nil {
					return nil, dataError("Invalid EC JWK: %v", err)
				}
				k.typ, k.priv = "private", priv
			}
		default:
			return k, importDER(k, format, raw)
		}
		return k, nil
	case "Ed25519":
		switch format {
		case "raw":
			if len(raw) != ed25519.PublicKeySize {
				return nil, dataError("Ed25519 public keys are 32 bytes")
			}
			k.typ, k.pub = "public", ed25519.PublicKey(raw)
		case "jwk":
			x, err := jwkBytes("x")
			if err != nil {
				return nil, err
			}
			k.typ, k.pub = "public", ed25519.PublicKey(x)
			if _, ok := jwk["d"]; ok {
				d, err := jwkBytes("d")
				if err != nil || len(d) != ed25519.SeedSize {
					return nil, dataError("Invalid Ed25519 JWK")
				}
				priv := ed25519.NewKeyFromSeed(d)
				k.typ, k.priv, k.pub = "private", priv, priv.Public()
			}
		default:
			return k, importDER(k, format, raw)
		}
		return k, nil
	case "RSASSA-PKCS1-v1_5", "RSA-PSS", "RSA-OAEP":
		if k.hash == "" {
			return nil, &subtleError{"TypeError", p.name + " needs a hash"}
		}
		if format != "jwk" {
			return k, importDER(k, format, raw)
		}
		nb, err := jwkBytes("n")
		if err != nil {
			return nil, err
		}
		eb, err := jwkBytes("e")
		if err != nil {
			return nil, err
		}
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(nb), E: int(new(big.Int).SetBytes(eb).Int64())}
		k.typ, k.pub = "public", pub
		if _, ok := jwk["d"]; ok {
			var ints [6]*big.Int
			for i, f := range []string{"d", "p", "q", "dp", "dq", "qi"} {
				b, err := jwkBytes(f)
				if err != nil {
					return nil, err
				}
				ints[i] = new(big.Int).SetBytes(b)
			}
			priv := &rsa.PrivateKey{PublicKey: *pub, D: ints[0], Primes: []*big.Int{ints[1], ints[2]}}
			if err := priv.Validate(); err != nil {
				return nil, dataError("Invalid RSA JWK: %v", err)
			}
			priv.Precompute()
			k.typ, k.priv = "private", priv
		}
		return k, nil
	}
	return nil, notSupported("importKey does not support %s", p.name)
}

// importDER reads spki (public) or pkcs8 (private) DER and checks the key
// type matches the algorithm.
func importDER(k *cryptoKey, format string, der []byte) error {
	var key any
	var err error
	switch format {
	case "spki":
		key, err = x509.ParsePKIXPublicKey(der)
	case "pkcs8":
		key, err = x509.ParsePKCS8PrivateKey(der)
	default:
		return notSupported("Unsupported key format %q for %s", format, k.alg)
	}
	if err != nil {
		return dataError("Invalid %s key data: %v", format, err)
	}
	if s, ok := key.(crypto.Signer); ok {
		k.typ, k.priv, k.pub = "private", s, s.Public()
	} else {
		k.typ, k.pub = "public", key
	}
	switch pub := k.pub.(type) {
	case *ecdsa.PublicKey:
		if k.alg != "ECDSA" || pub.Curve.Params().Name != k.curve {
			return dataError("The key is not an %s %s key", k.alg, k.curve)
		}
	case ed25519.PublicKey:
		if k.alg != "Ed25519" {
			return dataError("The key is not an %s key", k.alg)
		}
	case *rsa.PublicKey:
		if !strings.HasPrefix(k.alg, "RSA") {
			return dataError("The key is not an %s key", k.alg)
		}
	default:
		return dataError("Unsupported key type %T", pub)
	}
	return nil
}

func (g *Globals) exportKey(format string, k *cryptoKey) (goja.Value, error) {
	switch format {
	case "raw":
		switch {
		case k.secret != nil:
			return g.newArrayBuffer(bytesClone(k.secret)), nil
		case k.typ == "public":
			switch pub := k.pub.(type) {
			case *ecdsa.PublicKey:
				b, err := pub.Bytes()
				if err != nil {
					return nil, opError("%v", err)
				}
				return g.newArrayBuffer(b), nil
			case ed25519.PublicKey:
				return g.newArrayBuffer(bytesClone(pub)), nil
			}
		}
		return nil, notSupported("%s %s keys cannot be exported as raw", k.alg, k.typ)
	case "spki":
		if k.typ != "public" {
			return nil, accessError("spki export needs a public key")
		}
		der, err := x509.MarshalPKIXPublicKey(k.pub)
		if err != nil {
			return nil, opError("%v", err)
		}
		return g.newArrayBuffer(der), nil
	case "pkcs8":
		if k.typ != "private" {
			return nil, accessError("pkcs8 export needs a private key")
		}
		der, err := x509.MarshalPKCS8PrivateKey(k.priv)
		if err != nil {
			return nil, opError("%v", err)
		}
		return g.newArrayBuffer(der), nil
	case "jwk":
		j := g.vm.NewObject()
		enc := func(b []byte) string { return b64url.EncodeToString(b) }
		_ = j.Set("ext", k.extractable)
		usages := make([]any, len(k.usages))
		for i, u := range k.usages {
			usages[i] = u
		}
		_ = j.Set("key_ops", g.vm.NewArray(usages...))
		switch {
		case k.secret != nil:
			_ = j.Set("kty", "oct")
			_ = j.Set("k", enc(k.secret))
			if alg := jwkAlg(k); alg != "" {
				_ = j.Set("alg", alg)
			}
		default:
			switch pub := k.pub.(type) {
			case *ecdsa.PublicKey:
				b, _ := pub.Bytes()
				size := (len(b) - 1) / 2
				_ = j.Set("kty", "EC")
				_ = j.Set("crv", k.curve)
				_ = j.Set("x", enc(b[1:1+size]))
				_ = j.Set("y", enc(b[1+size:]))
				if priv, ok := k.priv.(*ecdsa.PrivateKey); ok {
					d, _ := priv.Bytes()
					_ = j.Set("d", enc(d))
				}
			case ed25519.PublicKey:
				_ = j.Set("kty", "OKP")
				_ = j.Set("crv", "Ed25519")
				_ = j.Set("x", enc(pub))
				if priv, ok := k.priv.(ed25519.PrivateKey); ok {
					_ = j.Set("d", enc(priv.Seed()))
				}
			case *rsa.PublicKey:
				_ = j.Set("kty", "RSA")
				_ = j.Set("n", enc(pub.N.Bytes()))
				_ = j.Set("e", enc(big.NewInt(int64(pub.E)).Bytes()))
				if alg := jwkAlg(k); alg != "" {
					_ = j.Set("alg", alg)
				}
				if priv, ok := k.priv.(*rsa.PrivateKey); ok {
					_ = j.Set("d", enc(priv.D.Bytes()))
					_ = j.Set("p", enc(priv.Primes[0].Bytes()))
					_ = j.Set("q", enc(priv.Primes[1].Bytes()))
					_ = j.Set("dp", enc(priv.Precomputed.Dp.Bytes()))
					_ = j.Set("dq", enc(priv.Precomputed.Dq.Bytes()))
					_ = j.Set("qi", enc(priv.Precomputed.Qinv.Bytes()))
				}
			}
		}
		return j, nil
	}
	return nil, notSupported("Unsupported export format %q", format)
}

func bytesClone(b []byte) []byte { return append([]byte(nil), b...) }

// jwkAlg is the JWK "alg" for a key, as WebCrypto writes it.
func jwkAlg(k *cryptoKey) string {
	bits := strings.TrimPrefix(k.hash, "SHA-")
	switch k.alg {
	case "HMAC":
		return "HS" + bits
	case "RSASSA-PKCS1-v1_5":
		return "RS" + bits
	case "RSA-PSS":
		return "PS" + bits
	case "AES-GCM":
		return fmt.Sprintf("A%dGCM", len(k.secret)*8)
	}
	return ""
}

func (g *Globals) generateKey(p subtleParams, extractable bool, usages []string, factory goja.Value) (goja.Value, error) {
	k := &cryptoKey{alg: p.name, extractable: extractable, usages: usages}
	if h := p.str("hash"); h != "" {
		name, err := canonicalAlg(h)
		if err != nil {
			return nil, err
		}
		k.hash = name
	}
	switch p.name {
	case "HMAC", "AES-GCM", "AES-CBC", "AES-CTR":
		length := p.int("length")
		if length == 0 {
			if p.name != "HMAC" {
				return nil, opError("AES keys need a length")
			}
			h, _, err := newHash(k.hash)
			if err != nil {
				return nil, err
			}
			length = h().BlockSize() * 8
		}
		k.typ = "secret"
		k.secret = make([]byte, length/8)
		_, _ = rand.Read(k.secret)
		return g.makeCryptoKey(factory, k)
	case "ECDSA", "Ed25519":
		var priv crypto.Signer
		if p.name == "ECDSA" {
			k.curve = p.str("namedCurve")
			curve, err := curveOf(k.curve)
			if err != nil {
				return nil, err
			}
			priv, _ = ecdsa.GenerateKey(curve, rand.Reader)
		} else {
			_, priv, _ = ed25519.GenerateKey(rand.Reader)
		}
		return g.keyPair(k, priv, factory)
	case "RSASSA-PKCS1-v1_5", "RSA-PSS", "RSA-OAEP":
		bits := p.int("modulusLength")
		if bits < 1024 || bits > 8192 {
			return nil, opError("modulusLength must be between 1024 and 8192")
		}
		// RSA key generation takes long enough to belong off the loop.
		promise, resolve, reject := g.vm.NewPromise()
		g.env.Loop.Go(func(context.Context) func() {
			priv, err := rsa.GenerateKey(rand.Reader, bits)
			return func() {
				if err != nil {
					_ = reject(g.subtleException(opError("%v", err)))
					return
				}
				pair, err := g.keyPair(k, priv, factory)
				if err != nil {
					_ = reject(g.subtleException(err))
					return
				}
				_ = resolve(pair)
			}
		})
		return g.vm.ToValue(promise), nil
	}
	return nil, notSupported("generateKey does not support %s", p.name)
}

// keyPair returns [publicKey, privateKey] for a fresh private key.
func (g *Globals) keyPair(tmpl *cryptoKey, priv crypto.Signer, factory goja.Value) (goja.Value, error) {
	pubK := *tmpl
	pubK.typ, pubK.pub, pubK.extractable = "public", priv.Public(), true
	pubK.usages = filterUsages(tmpl.usages, "verify", "encrypt", "wrapKey")
	privK := *tmpl
	privK.typ, privK.priv, privK.pub = "private", priv, priv.Public()
	privK.usages = filterUsages(tmpl.usages, "sign", "decrypt", "unwrapKey")
	pv, err := g.makeCryptoKey(factory, &pubK)
	if err != nil {
		return nil, err
	}
	sv, err := g.makeCryptoKey(factory, &privK)
	if err != nil {
		return nil, err
	}
	return g.vm.NewArray(pv, sv), nil
}

func filterUsages(usages []string, keep ...string) []string {
	var out []string
	for _, u := range usages {
		if slices.Contains(keep, u) {
			out = append(out, u)
		}
	}
	return out
}

func signWith(p subtleParams, k *cryptoKey, data []byte) ([]byte, error) {
	switch p.name {
	case "HMAC":
		h, _, err := newHash(k.hash)
		if err != nil {
			return nil, err
		}
		m := hmac.New(h, k.secret)
		m.Write(data)
		return m.Sum(nil), nil
	case "Ed25519":
		priv, ok := k.priv.(ed25519.PrivateKey)
		if !ok {
			return nil, accessError("Ed25519 signing needs a private key")
		}
		return ed25519.Sign(priv, data), nil
	case "ECDSA":
		priv, ok := k.priv.(*ecdsa.PrivateKey)
		if !ok {
			return nil, accessError("ECDSA signing needs a private key")
		}
		digest, err := digestOf(p.str("hash"), data)
		if err != nil {
			return nil, err
		}
		r, s, err := ecdsa.Sign(rand.Reader, priv, digest)
		if err != nil {
			return nil, opError("%v", err)
		}
		size := (priv.Curve.Params().BitSize + 7) / 8
		sig := make([]byte, 2*size)
		r.FillBytes(sig[:size])
		s.FillBytes(sig[size:])
		return sig, nil
	case "RSASSA-PKCS1-v1_5", "RSA-PSS":
		priv, ok := k.priv.(*rsa.PrivateKey)
		if !ok {
			return nil, accessError("RSA signing needs a private key")
		}
		_, ch, err := newHash(k.hash)
		if err != nil {
			return nil, err
		}
		digest, _ := digestOf(k.hash, data)
		if p.name == "RSA-PSS" {
			return rsa.SignPSS(rand.Reader, priv, ch, digest, &rsa.PSSOptions{SaltLength: p.int("saltLength"), Hash: ch})
		}
		return rsa.SignPKCS1v15(rand.Reader, priv, ch, digest)
	}
	return nil, notSupported("sign does not support %s", p.name)
}

func verifyWith(p subtleParams, k *cryptoKey, sig, data []byte) (bool, error) {
	switch p.name {
	case "HMAC":
		want, err := signWith(p, k, data)
		if err != nil {
			return false, err
		}
		return subtle.ConstantTimeCompare(want, sig) == 1, nil
	case "Ed25519":
		pub, ok := k.pub.(ed25519.PublicKey)
		if !ok {
			return false, accessError("not an Ed25519 key")
		}
		return len(sig) == ed25519.SignatureSize && ed25519.Verify(pub, data, sig), nil
	case "ECDSA":
		pub, ok := k.pub.(*ecdsa.PublicKey)
		if !ok {
			return false, accessError("not an ECDSA key")
		}
		size := (pub.Curve.Params().BitSize + 7) / 8
		if len(sig) != 2*size {
			return false, nil
		}
		digest, err := digestOf(p.str("hash"), data)
		if err != nil {
			return false, err
		}
		r := new(big.Int).SetBytes(sig[:size])
		s := new(big.Int).SetBytes(sig[size:])
		return ecdsa.Verify(pub, digest, r, s), nil
	case "RSASSA-PKCS1-v1_5", "RSA-PSS":
		pub, ok := k.pub.(*rsa.PublicKey)
		if !ok {
			return false, accessError("not an RSA key")
		}
		_, ch, err := newHash(k.hash)
		if err != nil {
			return false, err
		}
		digest, _ := digestOf(k.hash, data)
		if p.name == "RSA-PSS" {
			return rsa.VerifyPSS(pub, ch, digest, sig, &rsa.PSSOptions{SaltLength: p.int("saltLength"), Hash: ch}) == nil, nil
		}
		return rsa.VerifyPKCS1v15(pub, ch, digest, sig) == nil, nil
	}
	return false, notSupported("verify does not support %s", p.name)
}

func digestOf(hashName string, data []byte) ([]byte, error) {
	h, _, err := newHash(hashName)
	if err != nil {
		return nil, err
	}
	hh := h()
	hh.Write(data)
	return hh.Sum(nil), nil
}

func aesCrypt(p subtleParams, k *cryptoKey, data, iv, aad []byte, encrypt bool) ([]byte, error) {
	block, err := aes.NewCipher(k.secret)
	if err != nil {
		return nil, opError("%v", err)
	}
	switch p.name {
	case "AES-GCM":
		tagLen := p.int("tagLength")
		if tagLen == 0 {
			tagLen = 128
		}
		if len(iv) == 0 {
			return nil, opError("AES-GCM needs an iv")
		}
		var aead cipher.AEAD
		if tagLen == 128 {
			aead, err = cipher.NewGCMWithNonceSize(block, len(iv))
		} else if len(iv) == 12 {
			aead, err = cipher.NewGCMWithTagSize(block, tagLen/8)
		} else {
			return nil, notSupported("AES-GCM with a %d-bit tag needs a 96-bit iv", tagLen)
		}
		if err != nil {
			return nil, opError("%v", err)
		}
		if encrypt {
			return aead.Seal(nil, iv, data, aad), nil
		}
		out, err := aead.Open(nil, iv, data, aad)
		if err != nil {
			return nil, opError("The operation failed for an operation-specific reason")
		}
		return out, nil
	case "AES-CBC":
		if len(iv) != aes.BlockSize {
			return nil, opError("AES-CBC needs a 16-byte iv")
		}
		if encrypt {
			pad := aes.BlockSize - len(data)%aes.BlockSize
			buf := append(bytesClone(data), bytesRepeat(byte(pad), pad)...)
			cipher.NewCBCEncrypter(block, iv).CryptBlocks(buf, buf)
			return buf, nil
		}
		if len(data) == 0 || len(data)%aes.BlockSize != 0 {
			return nil, opError("AES-CBC ciphertext is not a whole number of blocks")
		}
		buf := bytesClone(data)
		cipher.NewCBCDecrypter(block, iv).CryptBlocks(buf, buf)
		pad := int(buf[len(buf)-1])
		if pad == 0 || pad > aes.BlockSize {
			return nil, opError("bad padding")
		}
		return buf[:len(buf)-pad], nil
	case "AES-CTR":
		if len(iv) != aes.BlockSize {
			return nil, opError("AES-CTR needs a 16-byte counter")
		}
		out := make([]byte, len(data))
		cipher.NewCTR(block, iv).XORKeyStream(out, data)
		return out, nil
	}
	return nil, notSupported("encrypt/decrypt does not support %s", p.name)
}

func bytesRepeat(b byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}
