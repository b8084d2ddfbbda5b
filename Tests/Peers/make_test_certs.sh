#!/bin/sh
# Makes the TLS test PKI in DIR with openssl: a test CA, server certificates for the
# TLS peers (good, expired, wrong host, self-signed, from an untrusted CA) and a
# client certificate. Server certificates name echo.netsock.test and localhost.
set -eu
dir=$1
cd "$dir"
names="subjectAltName=DNS:echo.netsock.test,DNS:localhost,IP:127.0.0.1"
quiet() { "$@" >/dev/null 2>&1 || { "$@"; exit 1; }; }

key() { quiet openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }

# Two CAs: the one the tests trust, and one they do not.
for ca in ca untrusted-ca; do
    key $ca.key
    quiet openssl req -x509 -new -key $ca.key -out $ca.pem -days 3650 -subj "/CN=netsock $ca" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
done

# signed NAME CA SUBJECT-ALT-NAMES [EXTRA...]: a leaf certificate NAME.pem for NAME.key.
signed() {
    name=$1; ca=$2; alt=$3; shift 3
    key $name.key
    quiet openssl req -new -key $name.key -out $name.csr -subj "/CN=$name"
    printf '%s\nbasicConstraints=CA:FALSE\n' "$alt" > $name.ext
    quiet openssl x509 -req -in $name.csr -CA $ca.pem -CAkey $ca.key -CAcreateserial -out $name.pem -days 825 -extfile $name.ext "$@"
}

signed server ca "$names"
signed wrong-host ca "subjectAltName=DNS:other.netsock.test"
signed untrusted untrusted-ca "$names"
signed client ca "extendedKeyUsage=clientAuth"

# Self-signed, for the names the tests connect to.
key self-signed.key
quiet openssl req -x509 -new -key self-signed.key -out self-signed.pem -days 825 -subj "/CN=echo.netsock.test" -addext "$names"

# Expired: valid for one day in 2020, signed by the trusted CA through `openssl ca`.
mkdir -p ca-db
: > ca-db/index.txt
echo 1000 > ca-db/serial
cat > ca-db/ca.cnf <<CONF
[ca]
default_ca = test
[test]
database = $dir/ca-db/index.txt
serial = $dir/ca-db/serial
new_certs_dir = $dir/ca-db
certificate = $dir/ca.pem
private_key = $dir/ca.key
default_md = sha256
policy = anything
copy_extensions = none
x509_extensions = leaf
[anything]
commonName = supplied
[leaf]
basicConstraints = CA:FALSE
$names
CONF
key expired.key
quiet openssl req -new -key expired.key -out expired.csr -subj "/CN=expired"
quiet openssl ca -batch -config ca-db/ca.cnf -in expired.csr -out expired.pem -notext -startdate 20200101000000Z -enddate 20200102000000Z
