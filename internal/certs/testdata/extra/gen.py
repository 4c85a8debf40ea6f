#!/usr/bin/env python3
"""Makes the extra fixtures of internal/certs and their manifest.json.

Run once by hand from this folder with OpenSSL 3.0 on PATH:
    python3 gen.py
Tests never run it. Keys and certificates are taken from the shared fixtures
one folder up (commands under "sources" in manifest.json); each fixture's
"commands" are run with bash from a scratch folder holding src/. Expected
values (leaf thumbprint, modulus fingerprint) are those of the shared
manifest for the same key; the certificate order in each file is read back
with openssl, not with the code under test.
"""
import hashlib, json, os, re, shutil, subprocess, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = json.load(open(os.path.join(HERE, "..", "manifest.json")))["fixtures"]

def ident(file):
    f = next(x for x in SHARED if x["file"] == file)
    return {"leaf": {"sha256_thumbprint": f["leaf"]["sha256_thumbprint"]} if f.get("leaf") else None,
            "key": {"type": f["key"]["type"], "modulus_sha256": f["key"].get("modulus_sha256")} if f.get("key") else None}

RSA = ident("rsa2048-cert-pkcs8key.pem")
CHAIN = ident("chain.pem")

SOURCES = [
    "mkdir -p src",
    "openssl x509 -in ../rsa2048-cert-pkcs8key.pem -out src/rsa2048.crt",
    "openssl pkey -in ../rsa2048-cert-pkcs8key.pem -out src/rsa2048.key",
    "openssl pkey -in ../mismatched-key.pem -out src/rsa2048-other.key",
    "openssl pkey -in ../chain.pem -out src/chain-leaf.key",
    "awk '/BEGIN CERT/{n++} n==1' ../chain.pem | sed -n '/BEGIN CERT/,/END CERT/p' > src/chain-leaf.crt",
    "awk '/BEGIN CERT/{n++} n==2' ../chain.pem | sed -n '/BEGIN CERT/,/END CERT/p' > src/intermediate-ca.crt",
    "awk '/BEGIN CERT/{n++} n==3' ../chain.pem | sed -n '/BEGIN CERT/,/END CERT/p' > src/root-ca.crt",
    "openssl x509 -in ../ec-p256-cert-pkcs8key.pem -out src/ec-p256.crt",
    "openssl pkey -in ../ec-p256-cert-pkcs8key.pem -out src/ec-p256.key",
]

P = "extra-pass"
RSA_IN = "-in src/rsa2048.crt -inkey src/rsa2048.key -name extra-rsa2048"

def p12(name, opts, password=P, expect="ok", who=RSA, notes="", legacy=False, passout=None):
    po = password if passout is None else passout
    return dict(file=name, container="pkcs12", password=password, expect=expect, notes=notes, who=who,
                read_legacy=legacy,
                commands=[f"openssl pkcs12 -export {RSA_IN if who is RSA else '-in src/chain-leaf.crt -inkey src/chain-leaf.key -certfile src/chain-cas.crt'} {opts} -passout pass:{po} -out {name}".replace("  ", " ")])

def pemenc(name, opts, notes, password=P, expect="ok"):
    return dict(file=name, container="pem", password=password, expect=expect, notes=notes, who=RSA,
                commands=[f"openssl pkcs8 -topk8 -in src/rsa2048.key {opts} -passout pass:{password} -out tmp.key",
                          f"cat src/rsa2048.crt tmp.key > {name}", "rm tmp.key"])

LEGACY = "-provider legacy -provider default"
LATIN1_PASS = "p\xe4ssw\xf6rd"  # as ISO 8859-1 bytes, see password_hex

FIXTURES = [
    # PKCS #12 from other configurations (spec/PROTOCOL.md 14.8).
    p12("p12-aes128-sha1mac.p12", "-keypbe AES-128-CBC -certpbe AES-128-CBC -macalg sha1", notes="PBES2 AES-128-CBC, MAC SHA-1"),
    p12("p12-aes192-sha384mac.p12", "-keypbe AES-192-CBC -certpbe AES-192-CBC -macalg sha384", notes="PBES2 AES-192-CBC, MAC SHA-384"),
    p12("p12-sha512mac.p12", "-macalg sha512", notes="MAC SHA-512 (Appendix B KDF with a 128-byte block)"),
    p12("p12-sha224mac.p12", "-macalg sha224", notes="MAC SHA-224"),
    p12("p12-pbes2-des3.p12", "-keypbe DES-EDE3-CBC -certpbe DES-EDE3-CBC", notes="PBES2 with des-ede3-cbc"),
    p12("p12-2key3des.p12", "-keypbe PBE-SHA1-2DES -certpbe PBE-SHA1-2DES -macalg sha1", notes="pbeWithSHAAnd2-KeyTripleDES-CBC"),
    p12("p12-rc2-128.p12", "-legacy -keypbe PBE-SHA1-RC2-128 -certpbe PBE-SHA1-RC2-128", legacy=True, notes="pbeWithSHAAnd128BitRC2-CBC"),
    p12("p12-rc4.p12", "-legacy -keypbe PBE-SHA1-RC4-128 -certpbe PBE-SHA1-RC4-40", legacy=True, notes="pbeWithSHAAnd128BitRC4 key, pbeWithSHAAnd40BitRC4 certs"),
    p12("p12-windows-like.p12", "-legacy -certpbe PBE-SHA1-3DES -macalg sha1 -iter 2000 -CSP 'Microsoft Enhanced RSA and AES Cryptographic Provider' -LMK",
        legacy=True, notes="like a Windows TripleDES-SHA1 export: 3DES both, SHA-1 MAC, 2000 iterations, CSP name and local-machine attributes (ignored)"),
    p12("p12-keytool-like.p12", "-iter 10000", notes="like Java keytool: PBES2 AES-256 HMAC-SHA256, SHA-256 MAC, 10000 iterations"),
    p12("p12-keyvault-like.p12", "-keypbe NONE -certpbe NONE -nomac", password="", notes="no password, no MAC, plain keyBag and certBag, as Key Vault exports"),
    p12("p12-noenc-mac.p12", "-keypbe NONE -certpbe NONE", notes="plain keyBag and certBag with a MAC"),
    p12("p12-nomaciter.p12", "-nomaciter", notes="MacData without iterations (DEFAULT 1)"),
    p12("p12-noiter.p12", "-noiter", notes="encryption with 1 iteration"),
    p12("p12-legacy-empty-password.p12", "-legacy", password="", legacy=True, notes="3DES and RC2-40 with the empty password as 00 00"),
    p12("p12-legacy-nonascii.p12", "-legacy", password="p\u00e4ssw\u00f6rd", legacy=True, notes="3DES and RC2-40 with a non-ASCII BMPString password"),
    dict(p12("p12-legacy-widened.p12", "-legacy", password="p\u00e4ssw\u00f6rd", legacy=True,
             passout="$(printf 'p\\303\\244ssw\\303\\266rd' | iconv -f latin1 -t utf-8)",
             notes="made as OpenSSL before 1.1.0 did: the UTF-8 bytes of 'p\u00e4ssw\u00f6rd' each widened to 16 bits (the password given to openssl is those bytes read as Latin-1)")),
    dict(p12("p12-latin1-password.p12", "-legacy", password=None, legacy=True,
             passout="$(printf 'p\\344ssw\\366rd')",
             notes="password given as ISO 8859-1 bytes (not UTF-8): OpenSSL widens each byte"), password_hex=LATIN1_PASS.encode("latin1").hex()),
    p12("p12-chain-legacy.p12", "-legacy", who=CHAIN, legacy=True, notes="leaf, intermediate, root; 3DES key, RC2-40 certs"),
    dict(file="p12-no-cert.p12", container="pkcs12", password=P, expect="error:no-certificate", who=None, notes="key only",
         commands=[f"openssl pkcs12 -export -nocerts -inkey src/rsa2048.key -passout pass:{P} -out p12-no-cert.p12"]),
    # Wrong passwords on the shared files.
    dict(file="../p12-openssl3-default.p12", container="pkcs12", password="not-the-password", expect="error:wrong-password", notes="MAC does not verify"),
    dict(file="../p12-legacy.p12", container="pkcs12", password="not-the-password", expect="error:wrong-password", notes="MAC does not verify"),
    dict(file="../p12-nomac.p12", container="pkcs12", password="not-the-password", expect="error:wrong-password", notes="no MAC: the key bag does not decrypt"),
    dict(file="../p12-openssl3-default.p12", container="pkcs12", password=None, expect="error:wrong-password", notes="password missing"),

    # Encrypted PKCS #8 PEM from other schemes.
    pemenc("pem-enc-aes128-sha1.pem", "-v2 aes-128-cbc -v2prf hmacWithSHA1", "PBES2 PBKDF2-HMAC-SHA1 AES-128-CBC"),
    pemenc("pem-enc-aes192-sha512.pem", "-v2 aes-192-cbc -v2prf hmacWithSHA512", "PBES2 PBKDF2-HMAC-SHA512 AES-192-CBC"),
    pemenc("pem-enc-des3-sha384.pem", "-v2 des3 -v2prf hmacWithSHA384", "PBES2 PBKDF2-HMAC-SHA384 DES-EDE3-CBC"),
    pemenc("pem-enc-aes256-sha224.pem", "-v2 aes-256-cbc -v2prf hmacWithSHA224", "PBES2 PBKDF2-HMAC-SHA224 AES-256-CBC"),
    pemenc("pem-enc-des-cbc.pem", f"{LEGACY} -v2 des-cbc", "PBES2 DES-CBC"),
    pemenc("pem-enc-pbe-sha1-3des.pem", "-v1 PBE-SHA1-3DES", "PKCS#12 pbeWithSHAAnd3-KeyTripleDES-CBC (BMPString password)"),
    pemenc("pem-enc-pbe-sha1-2des.pem", "-v1 PBE-SHA1-2DES", "PKCS#12 pbeWithSHAAnd2-KeyTripleDES-CBC"),
    pemenc("pem-enc-pbe-sha1-rc2-40.pem", f"{LEGACY} -v1 PBE-SHA1-RC2-40", "PKCS#12 pbeWithSHAAnd40BitRC2-CBC"),
    pemenc("pem-enc-pbes1-md5-des.pem", f"{LEGACY} -v1 PBE-MD5-DES", "PBES1 pbeWithMD5AndDES-CBC (OpenSSL 1.0 default)"),
    pemenc("pem-enc-pbes1-sha1-rc2.pem", f"{LEGACY} -v1 PBE-SHA1-RC2-64", "PBES1 pbeWithSHA1AndRC2-CBC"),
    pemenc("pem-enc-nonascii.pem", "-v2 aes-256-cbc", "PBES2 with a non-ASCII password: raw UTF-8 bytes", password="p\u00e4ssw\u00f6rd"),
    dict(file="pem-legacy-proc-type.pem", container="pem", password=P, expect="error:unsupported-algorithm", who=RSA,
         notes="RFC 1423 Proc-Type: 4,ENCRYPTED: refused with the conversion command",
         commands=[f"openssl rsa -in src/rsa2048.key -traditional -aes256 -passout pass:{P} -out tmp.key",
                   "cat src/rsa2048.crt tmp.key > pem-legacy-proc-type.pem", "rm tmp.key"]),
    dict(file="pem-crlf-chain.pem", container="pem", password=None, expect="ok", who=CHAIN, notes="chain.pem with CRLF line ends",
         commands=["sed 's/$/\\r/' ../chain.pem > pem-crlf-chain.pem"]),
    dict(file="pem-bag-attributes.pem", container="pem", password=None, expect="ok", who=CHAIN,
         notes="openssl pkcs12 output: Bag Attributes text between blocks, key first",
         commands=["openssl pkcs12 -in ../p12-chain.p12 -passin pass:acceptance-pass -noenc -out pem-bag-attributes.pem"]),
    dict(file="pem-leaf-last.pem", container="pem", password=None, expect="ok", who=CHAIN,
         notes="root, intermediate, key, leaf: the leaf moves first, the rest keep file order",
         commands=["cat src/root-ca.crt src/intermediate-ca.crt src/chain-leaf.key src/chain-leaf.crt > pem-leaf-last.pem"]),
    dict(file="pem-pkcs8-as-rsa-label.pem", container="pem", password=None, expect="ok", who=RSA,
         notes="PKCS#8 content under the RSA PRIVATE KEY label",
         commands=["sed 's/ PRIVATE KEY-----/ RSA PRIVATE KEY-----/' src/rsa2048.key > tmp.key",
                   "cat src/rsa2048.crt tmp.key > pem-pkcs8-as-rsa-label.pem", "rm tmp.key"]),
    dict(file="pem-two-keys.pem", container="pem", password=None, expect="error:multiple-keys", who=RSA, notes="",
         commands=["cat src/rsa2048.crt src/rsa2048.key src/rsa2048-other.key > pem-two-keys.pem"]),
    dict(file="pem-ec-sec1.pem", container="pem", password=None, expect="error:unsupported-key-type", notes="EC PRIVATE KEY (SEC 1)",
         commands=["openssl ec -in src/ec-p256.key -out tmp.key", "cat src/ec-p256.crt tmp.key > pem-ec-sec1.pem", "rm tmp.key"]),
    dict(file="pem-damaged.pem", container="pem", password=None, expect="error:malformed", notes="the CERTIFICATE block lost its END line",
         commands=["grep -v 'END CERTIFICATE' ../rsa2048-cert-pkcs8key.pem > pem-damaged.pem"]),
    dict(file="p12-base64.txt", container="pkcs12", password="acceptance-pass", expect="error:malformed", notes="base64 text of a PKCS#12 file",
         commands=["base64 ../p12-openssl3-default.p12 > p12-base64.txt"]),
    dict(file="../rsa2048-encrypted-pkcs8.pem", container="pem", password="not-the-password", expect="error:wrong-password", notes=""),
    dict(file="../rsa2048-encrypted-pkcs8.pem", container="pem", password=None, expect="error:wrong-password", notes="password missing"),
    dict(file="../rsa2048-cert-pkcs8key.pem", container="pem", password="unused", expect="ok", who=RSA, notes="a password for an unencrypted key is ignored"),
]

def run(cmd, cwd):
    subprocess.run(["bash", "-c", cmd], cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

def ders(pem_text):
    out = []
    for m in re.finditer(r"-----BEGIN CERTIFICATE-----\r?\n(.*?)-----END CERTIFICATE-----", pem_text, re.S):
        b = subprocess.run(["openssl", "x509", "-outform", "der"], input=m.group(0).encode(), check=True, capture_output=True).stdout
        out.append(hashlib.sha256(b).hexdigest())
    return out

def main():
    work = tempfile.mkdtemp()
    shutil.copytree(HERE, os.path.join(work, "extra"))
    for f in os.listdir(os.path.join(HERE, "..")):
        if not os.path.isdir(os.path.join(HERE, "..", f)):
            shutil.copy(os.path.join(HERE, "..", f), work)
    cwd = os.path.join(work, "extra")
    for c in SOURCES:
        run(c, cwd)
    run("cat src/intermediate-ca.crt src/root-ca.crt > src/chain-cas.crt", cwd)
    entries = []
    for f in FIXTURES:
        for c in f.get("commands", []):
            run(c, cwd)
        if f.get("commands"):
            shutil.copy(os.path.join(cwd, f["file"]), os.path.join(HERE, f["file"]))
        path = os.path.join(cwd, f["file"])
        if f["container"] == "pem":
            order = ders(open(path, encoding="latin1").read())
        elif f["expect"] == "ok":
            pw = f["password"] if f["password"] is not None else ""
            passin = f"pass:{pw}" if "password_hex" not in f else "pass:" + bytes.fromhex(f["password_hex"]).decode("latin1")
            args = ["openssl", "pkcs12", "-in", path, "-nokeys", "-passin", passin] + (["-legacy"] if f.get("read_legacy") else [])
            env = dict(os.environ)
            out = subprocess.run(args, check=True, capture_output=True, env=env).stdout.decode("latin1")
            order = ders(out)
        else:
            order = []
        who = f.get("who")
        e = {k: f[k] for k in ("file", "container", "password", "expect", "notes")}
        if "password_hex" in f:
            e["password_hex"] = f["password_hex"]
        e["commands"] = f.get("commands", [])
        if f["expect"] == "ok":
            e["leaf"], e["key"] = who["leaf"], who["key"]
            e["cert_sha256_in_file_order"] = order
        entries.append(e)
    manifest = {
        "description": "Extra fixtures for internal/certs, made by gen.py with OpenSSL 3.0 (" +
            subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout.strip() +
            "). Same fields as ../manifest.json. 'sources' extracts the keys and certificates of the shared fixtures into src/; each fixture's commands then run in bash. Entries whose file starts with ../ reuse a shared fixture with another password. password_hex, when present, is the password's bytes (not UTF-8).",
        "sources": SOURCES + ["cat src/intermediate-ca.crt src/root-ca.crt > src/chain-cas.crt"],
        "fixtures": entries,
    }
    with open(os.path.join(HERE, "manifest.json"), "w") as out:
        json.dump(manifest, out, indent=1, ensure_ascii=False)
        out.write("\n")
    shutil.rmtree(work)

main()
