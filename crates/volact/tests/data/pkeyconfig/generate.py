#!/usr/bin/env python3
"""Writes the test pkeyconfig files of this directory (see README.md). Run from here:
`python3 generate.py`. The files are committed; this script documents how they were made.

Every configuration and range below is FICTITIOUS unless the README says otherwise: the files
follow the structure of Microsoft's pkeyconfig files, not their contents."""
import base64

NS = "http://www.microsoft.com/DRM/PKEY/Configuration/2.0"


def configuration(act, group, edition, desc, ktype, randomized="false"):
    return (f"<Configuration>\r\n<ActConfigId>{act}</ActConfigId>\r\n<RefGroupId>{group}</RefGroupId>\r\n"
            f"<EditionId>{edition}</EditionId>\r\n<ProductDescription>{desc}</ProductDescription>\r\n"
            f"<ProductKeyType>{ktype}</ProductKeyType>\r\n<IsRandomized>{randomized}</IsRandomized>\r\n</Configuration>\r\n")


def key_range(act, part, eula, valid, start, end):
    return (f"<KeyRange>\r\n<RefActConfigId>{act}</RefActConfigId>\r\n<PartNumber>{part}</PartNumber>\r\n"
            f"<EulaType>{eula}</EulaType>\r\n<IsValid>{valid}</IsValid>\r\n<Start>{start}</Start>\r\n<End>{end}</End>\r\n</KeyRange>\r\n")


def public_key(group, algorithm):
    # The real PublicKeyValue is base64 key material; volact never reads it.
    return (f"<PublicKey>\r\n<GroupId>{group}</GroupId>\r\n<AlgorithmId>{algorithm}</AlgorithmId>\r\n"
            f"<PublicKeyValue>AAAA</PublicKeyValue>\r\n</PublicKey>\r\n")


def payload(configs, ranges, pubkeys):
    return ('<?xml version="1.0" encoding="utf-8"?>\r\n'
            f'<ProductKeyConfiguration xmlns="{NS}">\r\n'
            f"<Configurations>\r\n{''.join(configs)}</Configurations>\r\n"
            f"<KeyRanges>\r\n{''.join(ranges)}</KeyRanges>\r\n"
            f"<PublicKeys>\r\n{''.join(pubkeys)}</PublicKeys>\r\n"
            "</ProductKeyConfiguration>\r\n")


def xrml(b64, decl='<?xml version="1.0" encoding="utf-8"?>', doctype=""):
    # The outer XrML skeleton of Microsoft's files (signature omitted: volact does not check it).
    return (f'{decl}{doctype}<rg:licenseGroup xmlns:rg="urn:mpeg:mpeg21:2003:01-REL-R-NS">'
            '<r:license xmlns:r="urn:mpeg:mpeg21:2003:01-REL-R-NS" licenseId="{00000000-0000-0000-0000-00000000c0de}" '
            'xmlns:tm="http://www.microsoft.com/DRM/XrML2/TM/v2">'
            "<r:title>XrML 2.1 License - Product Key Configuration</r:title>"
            '<r:otherInfo xmlns:r="urn:mpeg:mpeg21:2003:01-REL-R-NS"><tm:infoTables xmlns:tm="http://www.microsoft.com/DRM/XrML2/TM/v2">'
            '<tm:infoList tag="#global"><tm:infoStr name="licenseType">msft:sl/PKEYCONFIG/SIGNED</tm:infoStr>'
            '<tm:infoStr name="licenseVersion">2.0</tm:infoStr>'
            f'<tm:infoBin name="pkeyConfigData">{b64}</tm:infoBin></tm:infoList></tm:infoTables></r:otherInfo>'
            "</r:license></rg:licenseGroup>")


def b64(text, encoding="utf-8"):
    data = text.encode(encoding)
    if encoding == "utf-16-le":
        data = b"\xff\xfe" + data
    return base64.b64encode(data).decode()


MAK = "{0f1c7e57-0000-4000-8000-00000000a001}"
RETAIL = "{0f1c7e57-0000-4000-8000-00000000a002}"
OEM = "{0f1c7e57-0000-4000-8000-00000000a003}"
CSVLK = "{0f1c7e57-0000-4000-8000-00000000a004}"
ENT_GVLK = "{73111121-5638-40f6-bc11-f1d7b0d64300}"  # real (facts.md §1.3)

mak_retail = payload(
    [configuration(MAK, 3892, "EnterpriseTest", "Fictitious Enterprise Volume:MAK (test only)", "Volume:MAK"),
     configuration(RETAIL, 900001, "ProfessionalTest", "Fictitious Professional Retail (test only)", "Retail"),
     configuration(OEM, 900002, "ProfessionalTest", "Fictitious Professional OEM:DM (test only)", "OEM:DM", "true")],
    [key_range(MAK, "X00-00001", "Volume", "true", 0, 99),
     key_range(MAK, "X00-00002", "Volume", "false", 100, 199),
     key_range(RETAIL, "X00-00003", "Retail", "true", 0, 999999),
     key_range(OEM, "X00-00004", "OEM", "true", 0, 999999),
     key_range("{0f1c7e57-0000-4000-8000-0000000000ff}", "X00-00005", "Volume", "true", 0, 9)],
    [public_key(3892, "msft:rm/algorithm/pkey/2009"), public_key(900001, "msft:rm/algorithm/pkey/2009")])
open("mak-retail-oem.xrm-ms", "w", newline="").write(xrml(b64(mak_retail)))

csvlk = payload(
    [configuration(CSVLK, 4575, "ServerStandard;ServerDatacenter", "Fictitious Server Volume:CSVLK (test only)", "Volume:CSVLK")],
    [key_range(CSVLK, "X00-00006", "Volume", "true", 0, 499)],
    [public_key(4575, "msft:rm/algorithm/pkey/2009")])
# UTF-8 with a byte-order mark, as some Windows tools write XML.
open("csvlk.xrm-ms", "wb").write(b"\xef\xbb\xbf" + xrml(b64(csvlk)).encode())

# UTF-16LE payload (with BOM) inside a UTF-16LE file: the group of the Enterprise GVLK, with
# its real ActConfigId and description; the range bounds are fictitious.
gvlk16 = payload(
    [configuration(ENT_GVLK, 3290, "Enterprise", "Win 10 RTM Enterprise Volume:GVLK", "Volume:GVLK")],
    [key_range(ENT_GVLK, "X00-00007", "Volume", "true", 0, 9)],
    [public_key(3290, "msft:rm/algorithm/pkey/2009")])
outer16 = xrml(b64(gvlk16.replace('encoding="utf-8"', 'encoding="utf-16"'), "utf-16-le"),
               decl='<?xml version="1.0" encoding="utf-16"?>')
open("utf16.xrm-ms", "wb").write(b"\xff\xfe" + outer16.encode("utf-16-le"))

# A later import of the MAK configuration that replaces it: range 0..=9 only.
newer = payload(
    [configuration(MAK, 3892, "EnterpriseTest", "Fictitious Enterprise Volume:MAK, newer (test only)", "Volume:MAK")],
    [key_range(MAK, "X00-00008", "Volume", "true", 500, 599)], [])
open("mak-newer.xrm-ms", "w", newline="").write(xrml(b64(newer)))

# Hostile and broken files.
hostile = "hostile"
import os
os.makedirs(hostile, exist_ok=True)
good = b64(mak_retail)
open(f"{hostile}/bad-base64.xrm-ms", "w").write(xrml(good[:40] + "!" + good[41:]))
open(f"{hostile}/truncated-base64.xrm-ms", "w").write(xrml(good[:-3]))
open(f"{hostile}/dtd.xrm-ms", "w").write(xrml(good, doctype='<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'))
open(f"{hostile}/entity-in-payload.xrm-ms", "w").write(xrml(b64(
    '<!DOCTYPE p [<!ENTITY e "x">]><ProductKeyConfiguration><Configurations/></ProductKeyConfiguration>')))
open(f"{hostile}/undeclared-entity.xrm-ms", "w").write(xrml(b64(
    "<ProductKeyConfiguration><Configurations><Configuration><ActConfigId>&e;</ActConfigId>"
    "</Configuration></Configurations></ProductKeyConfiguration>")))
open(f"{hostile}/deep.xrm-ms", "w").write(xrml(b64("<ProductKeyConfiguration>" + "<a>" * 100 + "</a>" * 100 + "</ProductKeyConfiguration>")))
open(f"{hostile}/no-payload.xrm-ms", "w").write(xrml("").replace('name="pkeyConfigData"', 'name="other"'))
open(f"{hostile}/wrong-root.xrm-ms", "w").write(xrml(b64("<SoftwareLicensingData/>")))
open(f"{hostile}/missing-group.xrm-ms", "w").write(xrml(b64(payload(
    ["<Configuration><ActConfigId>{x}</ActConfigId><ProductKeyType>Retail</ProductKeyType></Configuration>"], [], []))))
open(f"{hostile}/end-before-start.xrm-ms", "w").write(xrml(b64(payload(
    [configuration(MAK, 1, "E", "D", "Retail")], [key_range(MAK, "P", "Retail", "true", 10, 9)], []))))
open(f"{hostile}/not-xml.xrm-ms", "w").write("<rg:licenseGroup><unclosed></rg:licenseGroup>")
