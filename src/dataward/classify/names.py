"""Column names as evidence: what a name suggests, and the value shape that must back it.

A name alone never classifies a column. Each rule pairs name words with a *shape* (a cheap test
over the values, see :mod:`dataward.classify.shapes`); the rule applies only when most sampled
values have that shape, and the result is labelled ``column-name+shape`` with modest confidence.
Clear value findings from the detectors always win over a name (a column named ``ssn`` full of
e-mail addresses is an e-mail column).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def name_tokens(name: str) -> tuple[str, ...]:
    """Lower-case words of a column name or path: ``GivenName`` → ``("given", "name")``.

    >>> name_tokens("customer.CCExpires")
    ('customer', 'cc', 'expires')
    """
    out: list[str] = []
    for part in re.split(r"[^A-Za-z0-9]+", name):
        out.extend(t.lower() for t in _CAMEL.findall(part))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class NameRule:
    words: tuple[str, ...]
    """Consecutive name words (a word of five letters or more also matches longer words)."""
    entity: str
    shape: str
    loose: bool = False
    """Other words may surround the match; otherwise they must be harmless qualifiers."""


_QUALIFIER_WORDS = (
    "the a of my our user users customer customers client patient patients person persons "
    "people employee employees member members contact primary secondary home work billing "
    "shipping mailing main current full legal given first last code no num number nr id abbr "
    "short long value val txt text str raw orig original 1 2 3 cust pt emp usr acct account "
    "holder owner guardian emergency mother mothers father fathers spouse e"
)
QUALIFIERS = frozenset(_QUALIFIER_WORDS.split())


def _r(words: str, entity: str, shape: str, loose: bool = False) -> NameRule:
    return NameRule(tuple(words.split()), entity, shape, loose)


RULES: tuple[NameRule, ...] = (
    # identifiers with a distinctive shape first
    _r("uuid", "UUID", "uuid", True),
    _r("guid", "UUID", "uuid", True),
    _r("ssn", "US_SSN", "ssn", True),
    _r("social security", "US_SSN", "ssn", True),
    _r("mrn", "MEDICAL_RECORD_NUMBER", "code", True),
    _r("medical record", "MEDICAL_RECORD_NUMBER", "code", True),
    _r("npi", "US_NPI", "digits", True),
    _r("iban", "IBAN_CODE", "code", True),
    _r("vin", "VIN", "code", True),
    _r("imei", "IMEI", "digits", True),
    _r("passport", "US_PASSPORT", "code", True),
    _r("driver license", "US_DRIVER_LICENSE", "code", True),
    _r("drivers license", "US_DRIVER_LICENSE", "code", True),
    _r("license plate", "LICENSE_PLATE", "code", True),
    _r("plate", "LICENSE_PLATE", "code"),
    _r("employee id", "EMPLOYEE_ID", "code", True),
    _r("student id", "STUDENT_ID", "code", True),
    _r("customer id", "CUSTOMER_ID", "code", True),
    _r("policy number", "INSURANCE_POLICY_NUMBER", "code", True),
    _r("account number", "BANK_ACCOUNT", "digits", True),
    _r("bank account", "BANK_ACCOUNT", "digits", True),
    _r("routing", "ABA_ROUTING_NUMBER", "digits", True),
    # payment cards
    _r("cc number", "CREDIT_CARD", "digits", True),
    _r("card number", "CREDIT_CARD", "digits", True),
    _r("credit card", "CREDIT_CARD", "digits", True),
    _r("cvv", "CVV", "cvv", True),
    _r("cvc", "CVV", "cvv", True),
    _r("security code", "CVV", "cvv", True),
    _r("cc expir", "CARD_EXPIRY", "expiry", True),
    _r("card expir", "CARD_EXPIRY", "expiry", True),
    _r("expir", "CARD_EXPIRY", "expiry"),
    _r("exp date", "CARD_EXPIRY", "expiry"),
    # dates
    _r("birthplace", "PLACE_OF_BIRTH", "place", True),
    _r("place of birth", "PLACE_OF_BIRTH", "place", True),
    _r("dob", "DATE_OF_BIRTH", "date", True),
    _r("birth", "DATE_OF_BIRTH", "date", True),
    _r("birthday", "DATE_OF_BIRTH", "date", True),
    _r("age", "AGE", "age"),
    # names
    _r("first name", "FIRST_NAME", "name_word", True),
    _r("given name", "FIRST_NAME", "name_word", True),
    _r("forename", "FIRST_NAME", "name_word", True),
    _r("fname", "FIRST_NAME", "name_word", True),
    _r("last name", "LAST_NAME", "name_word", True),
    _r("family name", "LAST_NAME", "name_word", True),
    _r("surname", "LAST_NAME", "name_word", True),
    _r("lname", "LAST_NAME", "name_word", True),
    _r("maiden", "LAST_NAME", "name_word", True),
    _r("full name", "PERSON", "person", True),
    _r("name", "PERSON", "person"),
    _r("title", "PREFIX", "prefix"),
    _r("salutation", "PREFIX", "prefix", True),
    _r("prefix", "PREFIX", "prefix"),
    _r("gender", "GENDER", "category", True),
    _r("sex", "GENDER", "category"),
    # contact and places
    _r("email", "EMAIL_ADDRESS", "email", True),
    _r("mail", "EMAIL_ADDRESS", "email"),
    _r("phone", "PHONE_NUMBER", "phone", True),
    _r("telephone", "PHONE_NUMBER", "phone", True),
    _r("mobile", "PHONE_NUMBER", "phone", True),
    _r("cell", "PHONE_NUMBER", "phone"),
    _r("fax", "PHONE_NUMBER", "phone", True),
    _r("tel", "PHONE_NUMBER", "phone"),
    _r("street", "STREET_ADDRESS", "address", True),
    _r("address", "STREET_ADDRESS", "address"),
    _r("addr", "STREET_ADDRESS", "address"),
    _r("address line", "STREET_ADDRESS", "address", True),
    _r("city", "CITY", "place"),
    _r("town", "CITY", "place"),
    _r("state", "LOCATION", "place"),
    _r("province", "LOCATION", "place"),
    _r("county", "LOCATION", "place"),
    _r("zip", "POSTAL_CODE", "postal", True),
    _r("zipcode", "POSTAL_CODE", "postal", True),
    _r("postcode", "POSTAL_CODE", "postal", True),
    _r("postal", "POSTAL_CODE", "postal", True),
    _r("country", "COUNTRY", "place"),
    _r("nationality", "NATIONALITY", "place", True),
    _r("latitude", "GEO_COORDINATE", "latitude", True),
    _r("lat", "GEO_COORDINATE", "latitude"),
    _r("longitude", "GEO_COORDINATE", "longitude", True),
    _r("lon", "GEO_COORDINATE", "longitude"),
    _r("lng", "GEO_COORDINATE", "longitude"),
    # accounts and devices
    _r("username", "USERNAME", "token", True),
    _r("user name", "USERNAME", "token", True),
    _r("login", "USERNAME", "token", True),
    _r("password", "PASSWORD", "token", True),
    _r("passwd", "PASSWORD", "token", True),
    _r("pwd", "PASSWORD", "token", True),
    _r("user agent", "DEVICE_ID", "user_agent", True),
    _r("useragent", "DEVICE_ID", "user_agent", True),
    _r("device id", "DEVICE_ID", "code", True),
    _r("ip", "IP_ADDRESS", "code"),
    _r("domain", "DOMAIN_NAME", "domain"),
    _r("website", "URL", "domain", True),
    # work and body
    _r("occupation", "OCCUPATION", "words", True),
    _r("job title", "OCCUPATION", "words", True),
    _r("profession", "OCCUPATION", "words", True),
    _r("job", "OCCUPATION", "words"),
    _r("company", "ORGANIZATION", "words"),
    _r("employer", "ORGANIZATION", "words", True),
    _r("organization", "ORGANIZATION", "words"),
    _r("organisation", "ORGANIZATION", "words"),
    _r("salary", "SALARY", "number", True),
    _r("income", "SALARY", "number", True),
    _r("blood", "BLOOD_TYPE", "blood", True),
    _r("weight", "WEIGHT", "number"),
    _r("pounds", "WEIGHT", "number"),
    _r("kilograms", "WEIGHT", "number"),
    _r("height", "HEIGHT", "height"),
    _r("centimeters", "HEIGHT", "number"),
    _r("feet inches", "HEIGHT", "height"),
    _r("diagnosis", "MEDICAL_CONDITION", "words", True),
    _r("condition", "MEDICAL_CONDITION", "any"),
    _r("medication", "MEDICATION", "words", True),
    _r("religion", "RELIGION", "category", True),
    _r("ethnicity", "ETHNICITY", "category", True),
    _r("race", "ETHNICITY", "category"),
    _r("marital", "MARITAL_STATUS", "category", True),
    _r("national id", "GOVERNMENT_ID", "code", True),
    _r("tax id", "GOVERNMENT_ID", "code", True),
)
"""Name rules, most specific first. ``GOVERNMENT_ID`` is a placeholder: the classifier picks the
government identifier the detectors found most often, and drops the rule when they found none."""


def _word_matches(rule_word: str, token: str) -> bool:
    return token == rule_word or (len(rule_word) >= 5 and token.startswith(rule_word))


def match_rule(tokens: tuple[str, ...]) -> NameRule | None:
    """The first rule whose words appear consecutively in ``tokens`` (with only qualifiers
    around them, unless the rule is loose)."""
    for rule in RULES:
        n = len(rule.words)
        for i in range(len(tokens) - n + 1):
            if all(_word_matches(w, t) for w, t in zip(rule.words, tokens[i : i + n], strict=True)):
                rest = tokens[:i] + tokens[i + n :]
                if rule.loose or all(t in QUALIFIERS for t in rest):
                    return rule
    return None
