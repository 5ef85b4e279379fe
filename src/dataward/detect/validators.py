"""Checksum and format validators shared by detectors: small pure functions, no state.

Every function takes the candidate value (already stripped of separators unless it says otherwise)
and answers a yes/no or computes a check digit. None of them logs or raises the value.
"""

from __future__ import annotations

import base58
import bech32
from Crypto.Hash import keccak

# ISO 3166-1 alpha-2 codes, plus XK (Kosovo), which IBAN and BIC use.
_ISO_TEXT = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
    BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
    EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
    HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
    LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
    NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
    TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XK
"""
ISO_COUNTRIES = frozenset(_ISO_TEXT.split())


def iso_country_ok(code: str) -> bool:
    """Whether ``code`` is an ISO 3166-1 alpha-2 country code (upper case)."""
    return code in ISO_COUNTRIES


def only_digits(value: str) -> str:
    """The digits of ``value``, in order (drops spaces, dashes, dots, slashes)."""
    return "".join(c for c in value if "0" <= c <= "9")


def all_same(value: str) -> bool:
    """Whether ``value`` is one character repeated (``0000000000``)."""
    return len(set(value)) <= 1


# -- Luhn ------------------------------------------------------------------------------------------


def _luhn_sum(digits: str) -> int:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total


def luhn_ok(digits: str) -> bool:
    """Luhn (mod 10) check of a digit string, as on payment cards and IMEIs."""
    return bool(digits) and digits.isascii() and digits.isdigit() and _luhn_sum(digits) % 10 == 0


def luhn_check_digit(payload: str) -> str:
    """The digit that makes ``payload + digit`` pass :func:`luhn_ok`."""
    return str((10 - _luhn_sum(payload + "0") % 10) % 10)


# -- ISO 7064 mod 97-10 (IBAN) ---------------------------------------------------------------------


def _alnum_to_int(value: str) -> int:
    """Letters become 10..35 (A=10), digits stay: the IBAN/ISO 7064 conversion."""
    return int("".join(str(int(c, 36)) for c in value))


def mod97(value: str) -> int:
    """``value`` (digits and upper-case letters) as an ISO 7064 number, modulo 97."""
    return _alnum_to_int(value) % 97


def iban_mod97_ok(iban: str) -> bool:
    """The IBAN check: country and check digits moved to the end, the number mod 97 is 1."""
    if len(iban) < 5 or not iban.isascii() or not iban.isalnum():
        return False
    return mod97(iban[4:] + iban[:4]) == 1


def iban_check_digits(country: str, bban: str) -> str:
    """The two IBAN check digits for ``country`` and ``bban`` (upper case)."""
    return f"{98 - mod97(bban + country + '00'):02d}"


# -- Bank numbers ----------------------------------------------------------------------------------


def aba_ok(digits: str) -> bool:
    """ABA routing transit number: 9 digits, weights 3-7-1, valid Federal Reserve prefix."""
    if len(digits) != 9 or not digits.isascii() or not digits.isdigit():
        return False
    prefix = int(digits[:2])
    if not (prefix <= 12 or 21 <= prefix <= 32 or 61 <= prefix <= 72 or prefix == 80):
        return False
    weights = (3, 7, 1) * 3
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 10 == 0


def aba_check_digit(payload: str) -> str:
    """The ninth digit that completes an 8-digit routing number ``payload``."""
    weights = (3, 7, 1, 3, 7, 1, 3, 7)
    total = sum(int(d) * w for d, w in zip(payload, weights, strict=True))
    return str((10 - total % 10) % 10)


_RIB_LETTERS = {
    c: str(v)
    for c, v in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "12345678912345678923456789", strict=True)
}


def fr_rib_key(bank: str, branch: str, account: str) -> str:
    """The French RIB key (clé RIB) of bank (5), branch (5) and account (11, letters allowed)."""
    acc = int("".join(_RIB_LETTERS.get(c, c) for c in account))
    return f"{97 - (89 * int(bank) + 15 * int(branch) + 3 * acc) % 97:02d}"


def fr_rib_ok(rib: str) -> bool:
    """A French RIB of 23 characters: bank, branch, account and a matching key."""
    if len(rib) != 23 or not rib.isascii() or not rib.isalnum():
        return False
    bank, branch, account, key = rib[:5], rib[5:10], rib[10:21], rib[21:]
    if not (bank.isdigit() and branch.isdigit() and key.isdigit()):
        return False
    return fr_rib_key(bank, branch, account) == key


_CIN_ODD_TEXT = "1 0 5 7 9 13 15 17 19 21 2 4 18 20 11 3 6 8 12 14 16 10 22 25 24 23"
_CIN_ODD = tuple(int(x) for x in _CIN_ODD_TEXT.split())


def it_cin(bban_rest: str) -> str:
    """The Italian CIN letter of ABI (5), CAB (5) and account (12): 22 upper-case characters."""
    total = 0
    for i, c in enumerate(bban_rest):
        v = int(c) if c.isdigit() else ord(c) - 65
        total += _CIN_ODD[v] if i % 2 == 0 else v
    return chr(65 + total % 26)


def it_bban_ok(bban: str) -> bool:
    """An Italian BBAN: CIN letter, ABI, CAB and account, the letter matching the rest."""
    if len(bban) != 23 or not bban.isascii() or not bban.isalnum() or not bban[0].isalpha():
        return False
    rest = bban[1:]
    if not rest[:10].isdigit():
        return False
    return it_cin(rest) == bban[0]


def be_account_ok(digits: str) -> bool:
    """A Belgian account number (12 digits): the last two are the first ten mod 97 (97 for 0)."""
    if len(digits) != 12 or not digits.isdigit():
        return False
    check = int(digits[:10]) % 97 or 97
    return check == int(digits[10:])


def hu_account_ok(digits: str) -> bool:
    """A Hungarian account (16 or 24 digits): each block of 8 passes the 9-7-3-1 check."""
    if len(digits) not in (16, 24) or not digits.isdigit():
        return False
    weights = (9, 7, 3, 1, 9, 7, 3, 1)
    first = digits[:8]
    if sum(int(d) * w for d, w in zip(first, weights, strict=True)) % 10:
        return False
    rest = digits[8:]
    return sum(int(d) * w for d, w in zip(rest, weights * 2, strict=False)) % 10 == 0


def pl_nrb_ok(digits: str) -> bool:
    """A Polish NRB (26 digits): the IBAN check digits of ``PL`` plus the account."""
    return len(digits) == 26 and digits.isdigit() and iban_mod97_ok("PL" + digits)


def mx_clabe_ok(digits: str) -> bool:
    """A Mexican CLABE (18 digits): weights 3-7-1, mod 10 check digit."""
    if len(digits) != 18 or not digits.isdigit():
        return False
    weights = (3, 7, 1) * 6
    total = sum((int(d) * w) % 10 for d, w in zip(digits[:17], weights, strict=False))
    return (10 - total % 10) % 10 == int(digits[17])


# -- Crypto addresses ------------------------------------------------------------------------------


def base58check_payload(value: str, alphabet: bytes = base58.BITCOIN_ALPHABET) -> bytes | None:
    """The payload of a Base58Check string (version byte included), or ``None`` if it fails."""
    try:
        return bytes(base58.b58decode_check(value, alphabet=alphabet))
    except ValueError:
        return None


def base58check_encode(payload: bytes, alphabet: bytes = base58.BITCOIN_ALPHABET) -> str:
    """Base58Check of ``payload`` (for tests and fixtures)."""
    return base58.b58encode_check(payload, alphabet=alphabet).decode("ascii")


_BECH32_CONST = 1
_BECH32M_CONST = 0x2BC830A3
_BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def segwit_decode(hrp: str, address: str) -> tuple[int, bytes] | None:
    """Witness version and program of a segwit address (BIP 173 bech32 / BIP 350 bech32m)."""
    if address.lower() != address and address.upper() != address:
        return None
    addr = address.lower()
    pos = addr.rfind("1")
    if addr[:pos] != hrp or pos + 7 > len(addr) or len(addr) > 90:
        return None
    try:
        data = [_BECH32_CHARSET.index(c) for c in addr[pos + 1 :]]
    except ValueError:
        return None
    const = bech32.bech32_polymod(bech32.bech32_hrp_expand(hrp) + data)
    version = data[0]
    if version > 16 or const != (_BECH32_CONST if version == 0 else _BECH32M_CONST):
        return None
    program = bech32.convertbits(data[1:-6], 5, 8, False)
    if program is None or not 2 <= len(program) <= 40:
        return None
    if version == 0 and len(program) not in (20, 32):
        return None
    return version, bytes(program)


def segwit_encode(hrp: str, version: int, program: bytes) -> str:
    """A segwit address for ``program`` (bech32 for version 0, bech32m otherwise)."""
    data = [version, *(bech32.convertbits(program, 8, 5) or [])]
    const = _BECH32_CONST if version == 0 else _BECH32M_CONST
    polymod = bech32.bech32_polymod([*bech32.bech32_hrp_expand(hrp), *data, 0, 0, 0, 0, 0, 0])
    polymod ^= const
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_BECH32_CHARSET[d] for d in data + checksum)


def eip55_checksum(address: str) -> str:
    """The EIP-55 mixed-case form of an Ethereum address (``0x`` and 40 hex digits)."""
    hexpart = address[2:].lower()
    digest = keccak.new(digest_bits=256, data=hexpart.encode("ascii")).hexdigest()
    out = "".join(
        c.upper() if c.isalpha() and int(h, 16) >= 8 else c
        for c, h in zip(hexpart, digest, strict=False)
    )
    return "0x" + out


def eip55_ok(address: str) -> bool:
    """Whether a mixed-case Ethereum address has a correct EIP-55 checksum."""
    return eip55_checksum(address) == "0x" + address[2:]
