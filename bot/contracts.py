"""Whether a Japanese message is about the visitor's own contract with a company.

After a move or a death visitors ask the ward office about everything that needs changing:
「引っ越すので電気とガスの契約も止めたい」, 「主人名義の電話と電気の契約を私の名前に」,
「NHKの受信料の住所変更」, 「会社の健康保険証をなくした」, 「前の会社の健康保険を任意継続した
い」. None is the office's: each is done with the company, or the employer's health insurance.
The words a message shares with the office's work (名義, 住所変更, 保険証) made the guide send
such questions to a counter with confidence.

A message is such a question when it names a company's service and an act on a contract, and
nothing of the office's own (国保, 手当, 税, a 届: 「NHKの受信料の免除」 is the office's
certificate; 「児童手当の振込口座」 its allowance; 「会社の保険をやめた」 is 国保's business).
"""

from __future__ import annotations

import re
import unicodedata

# A company's service. ガス before ボンベ/缶/コンロ is garbage (「カセットコンロのガス」).
COMPANIES = re.compile(
    r"電気|ガス(?!ボンベ|缶|コンロ|ぼんべ)|電話|携帯|スマホ|インターネット|ネット回線|回線|プロバイダ"
    r"|NHK|受信料|新聞|クレジットカード|クレカ|カード会社|銀行|ゆうちょ|口座|通帳"
    r"|生命保険|医療保険|火災保険|保険会社|任意保険|自動車保険|健康保険組合|協会けんぽ"
    r"|(?:会社|勤め先|勤務先)の(?:健康)?保険")
# An act on a contract: starting a service after a move too (「電気とガスの使用開始の手続き」).
# (とめ is also in まとめて; a lost phone is the police's, so なくした alone is no act.)
ACTS = re.compile(r"契約|名義|住所(?:変更|を変え|をかえ|を移)|解約|止め|引き落とし|受取人|保険金"
                  r"|給付金|再発行|扶養|移し|変えたい|配達|見直|使用開始|利用開始|開通|開栓")
# A company's service named as what a procedure is for: 「電気とガスの引っ越しの手続きはどこ？」.
# (手続き alone is no act: 「引っ越しの手続き」 is the office's.)
SERVICE_PROCEDURE = re.compile(
    f"(?:{COMPANIES.pattern})(?:[とや・、](?:{COMPANIES.pattern}))*の(?:(?:引っ?越し|ひっこし|住所変更|名義変更)の)?手続")
# Joining a private insurer's policy is the insurer's business: 「家の火災保険に入りたい」. Not
# health insurance, which for many is 国保: 「外国人でも医療保険に加入しないといけない？」.
PRIVATE_INSURANCE = re.compile(r"生命保険|火災保険|保険会社|任意保険|自動車保険")
JOINS = re.compile(r"に入りたい|に入ろう|に入る|加入")
# An employer's health insurance card lost is reissued by the employer's insurer: 「会社の保険証を
# なくしてしまった」 (a lost phone is the police's, so a loss is no act for the other services).
EMPLOYER_INSURANCE = re.compile(r"(?:会社|勤め先|勤務先)の(?:健康)?保険|健康保険組合|協会けんぽ|社保|社会保険")
LOST = re.compile(r"なくし|無くし|失くし|紛失|落とし")
# The office's own business: any of these, and the message is not (only) a company's.
# 区からの支払いの振込口座 is 区会計室's; a 罹災証明 for the insurer is the fire station's; a
# document the bank asks for (書類) is a certificate; a cancellation fee, a sales call or a
# contract pressed on the visitor (「電話で勧められて契約してしもうた」) is the consumer centre's;
# help in one's language, the multicultural centre's; a parent's bank account with dementia,
# 成年後見's; water is the Waterworks Bureau's.
OFFICE = re.compile(
    r"国保|国民健康保険|こくほ|免除|減免|手当|てあて|税|ぜい|保険料|保育|年金|ねんきん|街灯|防犯灯|児童"
    r"|生活保護|障害|介護|罹災|証明|書類|住民票|戸籍|マイナ|印鑑|届|とどけ|区から|区の|市の|振込先|債権者"
    r"|地震|助成|補助|水道|蛇口|解約金|勧誘|勧め|すすめ|定期購入|訪問販売|クーリング|トラブル|だまさ|詐欺"
    r"|語で|外国語|母語|認知症|判断能力|後見")
# What only an employer's health insurance does: keeping it after leaving the job (任意継続), and
# the allowances 国保 does not pay (傷病手当金, 出産手当金; 出産育児一時金 is 国保's too). Asked
# even after leaving a job: 「退職しても前の会社の健康保険を任意継続したい」. Beside 国保, it is a
# comparison the office answers its part of (「任意継続と国保、どっちが安い」).
EMPLOYER_ONLY = re.compile(r"任意継続|傷病手当金|出産手当金")
KOKUHO = re.compile(r"国保|国民健康保険|こくほ")
# Insurance lost with a job is a move to 国保: 「会社を辞めて勤め先の保険が使えなくなった」.
LEFT_JOB = re.compile(r"やめ|辞め|抜け|退職|使えなくな|失業|離職|切れ")
# A section's name: a run of kanji ending in 課 (保険年金課, 税務課).
SECTION_NAME = re.compile(r"[\u4e00-\u9fff]+課(?!税)")
# Stories past this length mix errands; the guide reads them for the office's part.
MAX_TEXT = 200


def company_matter(text: str) -> bool:
    """True when the message is about the visitor's own contract with a company."""
    if not text or len(text) > MAX_TEXT:
        return False
    said = unicodedata.normalize("NFKC", text)
    # A section named as the place to ask (「保険年金課って生命保険の見直しの相談も」) is not the
    # office's business named: 年金 in 保険年金課 says nothing of a pension.
    business = SECTION_NAME.sub("", said)
    if EMPLOYER_ONLY.search(business) and not KOKUHO.search(business):
        return True
    if OFFICE.search(business) or ("保険" in business and LEFT_JOB.search(business)):
        return False
    return bool(COMPANIES.search(said) and ACTS.search(said) or SERVICE_PROCEDURE.search(said)
                or PRIVATE_INSURANCE.search(said) and JOINS.search(said)
                or EMPLOYER_INSURANCE.search(said) and LOST.search(said))
