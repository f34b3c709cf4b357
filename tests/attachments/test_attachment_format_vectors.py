"""Known-answer vectors of the stored format (docs/attachment-format.md): a blob written by the
code before the upload reused its buffers still decrypts, and today's encryptor, given the same
key, salt and nonce prefix, writes the same bytes (at a small chunk size, whole; at the
production chunk size, by its sha256 and its tag digest)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator

import pytest

from tracker.attachments import crypto

DEK = bytes(range(32))
VID = uuid.UUID("0b3f6a52-5c1e-4d8a-9f3e-2a7c1d9e8b40")
SALT, PREFIX = bytes(range(100, 132)), bytes(range(200, 207))

#: 2,500 bytes of `_plaintext` sealed at a chunk size of 1 KiB (three chunks), fed as 700 + 1,800
#: bytes, written by the encryptor as it was before the output buffers were reused
OLD_BLOB = bytes.fromhex(
    "54524b4101000004006465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f80818283c8c9ca"
    "cbcccdcefe4b33630fe8e8c36b639491f5a4ebbb80bf6b4749e3cb79e4f6acbfcedef579b06b9c8c39beaff9"
    "d7e77454eaf40c114b48ca66ae7bc76e9f8566c64996f1ce2e780ee879be726a569bab47eef8782ec9d94163"
    "0d27ad68382daa2e4415458d1eec6ca3d1b0f077926c2cb4d527c61f8ab9d315fcad52a8041e7fa24df967df"
    "3844a9c9139f75943c00eadf39cbec4630a70a09bc99d3ee90f11c00e6db5375fc565c1b5a9a5ad81e6ab304"
    "f5a3a22607f261bbe010d06dd910cb70e6b692036d6ac7ea0d4056ff1e061cf382821b1b2f28179580ca4ff5"
    "04fe3c049987513dfe73bd938953c8b7e084db1d14d1cd17b32bfba6053c13e77796b78fc5e227a152b8c486"
    "a41cfb3d3c2c9a6147519127eeda25d7fd47faf4de8a5dcbc2efebe525bdd2e0e3748a1263de5e99c0e069f3"
    "c5d72e81c7635f0b7400cef271ebb21f92282bca7a7378e8ae3ae8c75321a38be75e4ae8c7ec2498b2cebb5d"
    "45130d8afcbef432ea30a8b9e79a340eaac9374a5792e76841158aef401e070efd786aae00c8ed6b2cdd6246"
    "e5bbf36fe48e0b1bd7ffd6ae9120aea035445790977609ff6094a2a24fee7bec6d105ae1ee34a34d36a59ab1"
    "c2dc067263582cbdab35191735d0cb02f78be76f2cb1a1173ac755918934a4423e74d71fb97ac871efbfe689"
    "1f473292ba17dad12d025f1facddb89f922dcceb840bf05a2e6eaa75bb3b51049ed4c22575c3d3bd80549cbd"
    "f562697268a0ba4e838fad4dad71d1ff765c760f76f6ab136bcc2d045b2924595fdaf205b3510698808fcd33"
    "a114cb8b7bb4c56f22fa73f4dc38112ce983892447785e08221f7d450b994b08da3fa45127e5b3b326d32a9a"
    "6bfdcc664743b78dff43839a90d4d250ef5842ab8b3f12fc88d58f186953ff9b90a0f185c22ae44944c025f0"
    "99ea92078f6e8dcce2e003ad6f2d7582d679650871b646e68539270918f3a5e3ee33366706332dba075f7319"
    "c48dafe7768b73752c49fd018ccbcc3c1121176a1f9d452d9470a344a0c00322ad3e5eea83d93e8b355c5a6c"
    "456fc5d9a24aefe2ffc78abdfcd0ecd30c4eb8bb1709c6192bf29cf8de9f6b8c5a94dc7ec8ec4cab25c60034"
    "4e1d805039907d56b134be575bc4dbe1e9d8334c8a68e13e3108c887652755d6a5e2829f9e1d4d8a05aef6c7"
    "25605438583e3b700924179a561af46219e08e2c7650baee682a4b3cf6a6ea359614c19ead4ee06a8c4e531b"
    "ae0e46f60b5faff8941fdc794fd22d4476f35472d3b73c26b643356582cec2567014d93849b155d19900cdb9"
    "7d0c0ae7156bda4c1ab70a306f955a83ae5c78b3563fe3ed70f50584300b3ae5ab606229e1dc2608c6884e64"
    "2902450af5abc7b1541cc5efce74256f33b905a129e7c9ac8b4353cccde80114646693689406dab20276c159"
    "ea0596427164c6c3a91468c0f85add1baa4888c1acf4a3c964b800dd8d35827d8e16ba67496fc68fb27ecc4b"
    "5f4b7322ad838a617fbda2c3d7ac49811593368d9e5932c6b0862fa80f0b30cffbbdf4556c77a58da9d161ce"
    "3e6426d3b941ed5ba2100cfa29a75844277a09b88ff032cbb38a9c04a9bb0ff88f398d492bbf7264106a273d"
    "f71318851152b8f167c60e4298a948803115c0bf36b00eeba00d6086d34051b1ac49ccd36906bb55da53405c"
    "ec97bcb5d6ece6ac793e64e49481602eb5839ad4e271c84c27ea7f5d24dfd7af2efe1a472378a657b6c1268d"
    "4aa3c7c4d02599d22e148a3f078edb8861803c228a747542a269ba95d2b696f7d928c73b6d1e858b1a1b22a2"
    "5ca72adaa9c5116540d6f828bc077f88527800f5476c5a3ef0c3ef3b18e7cc4baa2426313a3e4eb7e7036c8f"
    "2775473f058f9119ed5d9fc8baf023082f83f3456bf49d8a077fca8e341a9d166760ceed79896f1bff395f4b"
    "fc62088946833e4dd416424cc02695d574b9a3c647614750d5166df26adddeaa574538077970f49752d94f9b"
    "8a6360ceef791ac11b02f32dc9d34eae7e19879f69bc40bb23e19a9c4ca03cd44cab68b695294a232119c59b"
    "00af2a98c6315fe39ba91157b2bd86dd0afb89ca39f21a19661c47fbecd129657448706e75259b02b06e823f"
    "c46060fc65a7233438e32767a9789c997a4fd712014a3283ec1c6ad02a3a527620dc65c7d0ff24992669a291"
    "6ddb6bad3af4cb2d8353b303ea706de43a238a3c18ab362a0ca5ae99a8c22403dafedf9b7175b9d9836172bc"
    "779db2c537e6c54b50760e5f7bcb653c8ff3af09787140502ef5b8a8171c912aaaf5c89ba7a508a6383dd099"
    "3eae51d99b8f446eec1c394d491e1aa0a39f6756305c357dc8457d4090928e0f860d6a120be16556621a2e91"
    "091d088814376e6a7c42dbb5fa2424a6ea7d697052c1fd325f4546db674d6e3c1459451677013fb4b88c5384"
    "627464314528ed61902c2c60780b9ed5555ba2e1574544088440a7b6d22b0cbf30414fcbdd9fc786550d5bc9"
    "46c1d81ac047adadd4de35df08f7796e35ed7d4e48fef9734212322eef925e04595009511aaf779d2678f7e6"
    "4bcd96778117f99489f69ef413e263d738e225839d12950c77284d7eceb6647f3e6d924fc7a030e7423dc2ba"
    "e35815763238cbb54186bd0d481216da741a196d5f525fab18adeebf8e349c31b2eb3c85106f9745b5d3d8aa"
    "80de7edf2b548093054e46ccab5951db339acd6c906e24380f57d035c716903a89ee7b4ebc4321b34226e417"
    "b9ac1fbbc348d368983b634c4bceafe9d26a46466784a3f3365063f3409da005be539cc133153d4131861882"
    "068b1c07dc4821febd4fa9f2ebb79465f9ea9edc10496c4e8df56d0cdc4d835f4e0241d2f08d8fe191888499"
    "fd0cf78df99d5cbe2577442dfd14f88a1e629ebb8905b83b4defa9099ca7bff6a8818de0ad1c6c3f172f189a"
    "c5ede9eff16b00a480013b41069ee4fdad46b3b584d3c3a030b051be2d20d1e0ebbf828d28648c6c5ec5a1e0"
    "7694a2cbce7690b9730f4400474184f8d8d6955cdc86cf1324f8265318a5cbe7a3b80d13e3ec95f1e1408045"
    "c477a02f4432750bd449e04610b58da0ec9e71adfcd8b51b06c68abdbfa3e58f60ceca22d83782d502faf284"
    "54e5ec4e69238e0c0002959996c896eeddca727d3d4d4ceca678975f53a038e2e332e75019d8e5d698fe1f60"
    "159f6dc35f60221af8147caf04c74e8a5b87cff5007d51db257830644df75a4abe807628ff384801d0fdd418"
    "d5280519ceb43e662a351072a77775f8421355e1a561150e38224c69cffc350b8d11b01ef911c9e3fff7f4bd"
    "4a3f81bd31d95a6fe0245cab6fc5a94384bf64c3bec7ce007e0eb311d9dfbf7b118cdb7859d1c771b8d6486b"
    "3de9ea6c4e2cfc83025ce5617be73cb6be57064ca51c5d8590ff6e1aeb0150d66837312c91785d96784cab73"
    "7becd49bfbc8991f06b7d4243adc242fa47d565f156ef36b244b7bb2a1d871fa15f4e345439d0f9c8e67da02"
    "802ec9eb04120b427ce272c3cfc685e772ee07ad7b8f5e9c763368b9601fea6bb6d2daa1bc0047e97b0b0f22"
    "2193a554e34850464ce090add8b3f2a8020774e380f27524ca8ce5b80995ced0a6a0d1219dfe9d027029e7c1"
)
#: 3 x 64 KiB + 1,000 bytes of `_plaintext` at the production chunk size, fed in 100,000-byte
#: pieces: the blob's length, sha256 and tag digest (scheme 2), from the same code
OLD_LARGE = (
    197720,
    "4540200e0dade22b390c2ac7e2dd0faffbca2041a6533a46979b05d6115e459a",
    "5f275c58f3cc96bb21ffae3fb08eddc6deb8e0c15ee181675f99c266bedb8a7f",
)


def _plaintext(size: int) -> bytes:
    out, counter = bytearray(), 0
    while len(out) < size:
        out += hashlib.sha256(counter.to_bytes(4, "big")).digest()
        counter += 1
    return bytes(out[:size])


@pytest.fixture
def fixed_randomness(monkeypatch: pytest.MonkeyPatch) -> None:
    """The salt and the nonce prefix the vectors were made with (asked for in that order)."""
    values: Iterator[bytes] = iter([SALT, PREFIX] * 4)
    monkeypatch.setattr(crypto.secrets, "token_bytes", lambda n: next(values))


def test_a_blob_written_before_still_decrypts() -> None:
    assert crypto.decrypt_bytes(DEK, VID, OLD_BLOB) == _plaintext(2500)
    assert crypto.parse_header(OLD_BLOB[: crypto.HEADER_SIZE]) == (1024, SALT, PREFIX)


@pytest.mark.usefixtures("fixed_randomness")
def test_the_encryptor_writes_the_same_bytes_as_before() -> None:
    plaintext = _plaintext(2500)
    enc = crypto.StreamEncryptor(DEK, VID, chunk_size=1024)
    first = enc.update_chunks(plaintext[:700])
    second = [bytes(s) for s in enc.update_chunks(plaintext[700:])]
    blob = enc.header + b"".join(first) + b"".join(second) + enc.finalize()
    assert blob == OLD_BLOB


@pytest.mark.usefixtures("fixed_randomness")
def test_the_upload_chunking_writes_the_same_bytes_as_before() -> None:
    plaintext = _plaintext(3 * crypto.CHUNK_SIZE + 1000)
    enc = crypto.StreamEncryptor(DEK, VID)
    blob = bytearray(enc.header)
    for at in range(0, len(plaintext), 100_000):
        sealed = enc.update_chunks(plaintext[at : at + 100_000])
        for chunk in sealed:
            blob += chunk
        enc.reuse(sealed)  # as the blob writer gives them back
    blob += enc.finalize()
    digest = crypto.TagDigest()
    digest.update(bytes(blob))
    assert (len(blob), hashlib.sha256(blob).hexdigest(), digest.hexdigest()) == OLD_LARGE
    assert crypto.decrypt_bytes(DEK, VID, bytes(blob)) == plaintext
