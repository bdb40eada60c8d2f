"""Certificates anyone can verify: an Open Badges 3.0 credential signed as a JWS, a printable PDF with a
QR code, and the live status a verifier sees.

For the issuing handler (everything here is pure except the signer it is handed):

    credential = credential.build_credential(record, base_url=settings().public_base_url)
    token = jws.sign_credential(credential, KmsSigner.for_this_environment(settings().signing_key_id))
    pdf = pdf.render_certificate_pdf(
        record, academy_name=..., framework_title=..., verify_url=credential.verify_url(base, record.id)
    )

Import from the submodules (credential, jws, pdf, verification): this package imports nothing itself,
so a function that only answers a status never loads pyjwt and cryptography, and only the certificate
function loads fpdf2.
"""
