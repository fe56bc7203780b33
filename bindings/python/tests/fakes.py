"""Fakes shared by the workflow tests: Windows machines in memory (``FakeMachine``, a
``volact.ActivationTarget``), made-up Activation IDs, and Installation/Confirmation IDs whose
check digits hold."""

import json
import random
import uuid

import volact

WINDOWS_APP = "55c92734-d682-4d71-983e-d6ec3f16059f"
C004F04D = 0xC004F04D


def sku(edition):
    """A test Activation ID per edition (made up; real ones are Microsoft's SKU GUIDs)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"volact-test-sku:{edition}"))


def check_group(data):
    """A group with its check digit: (sum of d_i * (1 at even, 2 at odd i)) mod 7 (ids.rs)."""
    s = sum(d * (1 if i % 2 == 0 else 2) for i, d in enumerate(data))
    return "".join(map(str, data)) + str(s % 7)


def make_id(seed, groups, group_len):
    rng = random.Random(seed)
    return "-".join(
        check_group([rng.randrange(10) for _ in range(group_len - 1)]) for _ in range(groups)
    )


def make_iid(seed):
    """A 63-digit Installation ID (9 groups of 7) whose check digits hold."""
    return make_id(seed, 9, 7)


def make_cid(seed):
    """A 48-digit Confirmation ID (8 groups of 6) whose check digits hold."""
    return make_id(("cid", seed).__repr__(), 8, 6)


def digits(text):
    return "".join(c for c in text if c.isdigit())


class FakeMachine(volact.ActivationTarget):
    """A Windows machine in memory. Every call is recorded with its arguments in ``calls``
    (and, with ``log``, a list shared by several machines, as ``(name, method, args)`` in
    the order they happened); ``fail[method]`` is raised from that method; installing a key
    changes the IID and the channel (as on Windows: a published GVLK makes it
    ``Volume:GVLK``, any other key ``key_channel``); a deposit succeeds only with the CID
    ``cids`` maps its IID to; ``write_value`` keeps the data in ``values``."""

    def __init__(
        self,
        name,
        edition="Professional",
        family="Windows 11",
        seed=1,
        channel="Retail",
        network="Workgroup",
        key_channel="Volume:MAK",
        log=None,
    ):
        self.name = name
        self.seed = seed
        self.network = network
        self.key_channel = key_channel
        self.log = log
        self.calls = []
        self.fail = {}
        self.cids = {}
        self.values = {}
        self.product = {
            "activation_id": sku(edition),
            "application_id": WINDOWS_APP,
            "name": f"Windows(R), {edition} edition",
            "family": family,
            "edition_id": edition,
            "channel": channel,
            "license_status": 2,
            "grace_remaining": 43200,
            "installation_id": make_iid(seed),
            "product_key_id": "03612-05150-000-025690-03-1033-19045.0000-2962025",
            "partial_product_key": "3V66T",
        }

    def _call(self, method, *args):
        self.calls.append((method, args))
        if self.log is not None:
            self.log.append((self.name, method, args))
        if method in self.fail:
            raise self.fail[method]

    def machine_json(self):
        self._call("machine_json")
        return json.dumps(
            {
                "name": self.name,
                "network_type": self.network,
                "network_name": "ISOLATEDLAB" if self.network == "Workgroup" else "contoso.com",
                "os_version": "10.0.22631",
                "mac_addresses": [f"00-15-5D-00-00-{self.seed:02X}"],
            }
        )

    def products_json(self):
        self._call("products_json")
        return json.dumps([self.product])

    def install_product_key(self, key):
        self._call("install_product_key", key)
        self.product["channel"] = volact.ProductKey(key).channel() or self.key_channel
        self.product["partial_product_key"] = key[-5:]
        self.product["installation_id"] = make_iid(1000 + self.seed)

    def activate(self, activation_id):
        self._call("activate", activation_id)
        if activation_id != self.product["activation_id"]:
            raise volact.TargetError.NoSuchProduct(activation_id)
        self.product["license_status"] = 1

    def deposit_confirmation_id(self, activation_id, installation_id, confirmation_id):
        self._call("deposit_confirmation_id", activation_id, installation_id, confirmation_id)
        expected = self.cids.get(digits(installation_id))
        if expected is None or digits(expected) != digits(confirmation_id):
            raise volact.TargetError.Licensing(C004F04D, "the CID does not match the IID")
        self.product["license_status"] = 1

    def set_kms_host(self, host):
        self._call("set_kms_host", host)

    def set_kms_lookup_domain(self, domain):
        self._call("set_kms_lookup_domain", domain)

    def set_host_caching(self, enabled):
        self._call("set_host_caching", enabled)

    def read_value(self, name):
        self._call("read_value", name)
        return self.values.get(name)

    def write_value(self, name, data_json):
        self._call("write_value", name, data_json)
        self.values[name] = data_json
