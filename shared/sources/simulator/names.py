"""Synthetic identities for the OQC simulator: names with kana, addresses, insurance numbers.

Why it exists: the crew's tablet, the hospital dashboard and the 4-attribute fallback search
must be exercised with data that looks like a real card face (kanji name and katakana reading,
a prefecture-city-block address, 8-digit insurer numbers) without ever holding real personal
data. Every value here is a random combination of common parts; institution names use
invented prefixes so that no real hospital is implied.
"""
from __future__ import annotations

from datetime import date, timedelta
from random import Random

from shared.schemas.record import CardFace

# (kanji, katakana): among the most common Japanese family names.
FAMILY: tuple[tuple[str, str], ...] = (
    ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"),
    ("伊藤", "イトウ"), ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"),
    ("小林", "コバヤシ"), ("加藤", "カトウ"), ("吉田", "ヨシダ"), ("山田", "ヤマダ"),
    ("佐々木", "ササキ"), ("山口", "ヤマグチ"), ("松本", "マツモト"), ("井上", "イノウエ"),
    ("木村", "キムラ"), ("林", "ハヤシ"), ("斎藤", "サイトウ"), ("清水", "シミズ"),
    ("山崎", "ヤマザキ"), ("森", "モリ"), ("池田", "イケダ"), ("橋本", "ハシモト"),
    ("阿部", "アベ"), ("石川", "イシカワ"), ("山下", "ヤマシタ"), ("中島", "ナカジマ"),
    ("石井", "イシイ"), ("小川", "オガワ"), ("前田", "マエダ"), ("岡田", "オカダ"),
    ("長谷川", "ハセガワ"), ("藤田", "フジタ"), ("後藤", "ゴトウ"), ("近藤", "コンドウ"),
    ("村上", "ムラカミ"), ("遠藤", "エンドウ"), ("青木", "アオキ"), ("坂本", "サカモト"),
    ("斉藤", "サイトウ"), ("福田", "フクダ"), ("太田", "オオタ"), ("西村", "ニシムラ"),
    ("藤井", "フジイ"), ("金子", "カネコ"), ("岡本", "オカモト"), ("藤原", "フジワラ"),
    ("中野", "ナカノ"), ("三浦", "ミウラ"), ("原田", "ハラダ"), ("中川", "ナカガワ"),
    ("松田", "マツダ"), ("竹内", "タケウチ"), ("小野", "オノ"), ("田村", "タムラ"),
    ("中山", "ナカヤマ"), ("和田", "ワダ"), ("石田", "イシダ"), ("上田", "ウエダ"),
    ("森田", "モリタ"), ("原", "ハラ"), ("柴田", "シバタ"), ("酒井", "サカイ"),
)

# Given names by sex and birth era, so that a 90-year-old is not called 陽翔.
_ERAS = ((1900, 1949), (1950, 1984), (1985, 2100))
GIVEN: dict[str, tuple[tuple[tuple[str, str], ...], ...]] = {
    "male": (
        (("清", "キヨシ"), ("茂", "シゲル"), ("勇", "イサム"), ("博", "ヒロシ"), ("実", "ミノル"),
         ("正雄", "マサオ"), ("武", "タケシ"), ("三郎", "サブロウ"), ("義雄", "ヨシオ"),
         ("進", "ススム"), ("昭", "アキラ"), ("弘", "ヒロシ"), ("幸男", "ユキオ")),
        (("誠", "マコト"), ("浩", "ヒロシ"), ("健一", "ケンイチ"), ("隆", "タカシ"),
         ("和彦", "カズヒコ"), ("哲也", "テツヤ"), ("直樹", "ナオキ"), ("太郎", "タロウ"),
         ("修", "オサム"), ("聡", "サトシ"), ("大輔", "ダイスケ"), ("剛", "ツヨシ")),
        (("翔太", "ショウタ"), ("大翔", "ヒロト"), ("蓮", "レン"), ("陽翔", "ハルト"),
         ("悠真", "ユウマ"), ("拓也", "タクヤ"), ("颯太", "ソウタ"), ("湊", "ミナト"),
         ("健太", "ケンタ"), ("大和", "ヤマト"), ("樹", "イツキ"), ("海斗", "カイト")),
    ),
    "female": (
        (("和子", "カズコ"), ("幸子", "サチコ"), ("節子", "セツコ"), ("久子", "ヒサコ"),
         ("文子", "フミコ"), ("キヨ", "キヨ"), ("ハル", "ハル"), ("トシ子", "トシコ"),
         ("美代子", "ミヨコ"), ("照子", "テルコ"), ("静子", "シズコ"), ("冨美子", "フミコ")),
        (("恵子", "ケイコ"), ("洋子", "ヨウコ"), ("京子", "キョウコ"), ("由美子", "ユミコ"),
         ("真由美", "マユミ"), ("明美", "アケミ"), ("裕子", "ユウコ"), ("直美", "ナオミ"),
         ("久美子", "クミコ"), ("智子", "トモコ"), ("陽子", "ヨウコ"), ("美穂", "ミホ")),
        (("陽菜", "ヒナ"), ("結衣", "ユイ"), ("美咲", "ミサキ"), ("さくら", "サクラ"),
         ("葵", "アオイ"), ("凛", "リン"), ("彩花", "アヤカ"), ("愛", "アイ"), ("芽依", "メイ"),
         ("結菜", "ユイナ"), ("杏", "アン"), ("美羽", "ミウ")),
    ),
}

# (prefecture, JIS prefecture code, city or ward, towns in it)
PLACES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("北海道", "01", "札幌市中央区", ("北一条西", "南三条東", "宮の森")),
    ("北海道", "01", "旭川市", ("東光", "春光", "末広")),
    ("宮城県", "04", "仙台市青葉区", ("一番町", "国分町", "八幡")),
    ("福島県", "07", "郡山市", ("桑野", "安積町", "富田町")),
    ("茨城県", "08", "水戸市", ("見和", "千波町", "元吉田町")),
    ("埼玉県", "11", "さいたま市浦和区", ("高砂", "常盤", "岸町")),
    ("埼玉県", "11", "川越市", ("新富町", "脇田町", "霞ケ関北")),
    ("千葉県", "12", "船橋市", ("本町", "前原西", "習志野台")),
    ("千葉県", "12", "柏市", ("柏", "豊四季", "明原")),
    ("東京都", "13", "世田谷区", ("桜新町", "三軒茶屋", "北沢", "用賀")),
    ("東京都", "13", "足立区", ("千住", "綾瀬", "竹の塚")),
    ("東京都", "13", "八王子市", ("横山町", "元本郷町", "南大沢")),
    ("東京都", "13", "練馬区", ("豊玉北", "石神井町", "光が丘")),
    ("神奈川県", "14", "横浜市港北区", ("日吉", "大倉山", "新横浜")),
    ("神奈川県", "14", "川崎市中原区", ("小杉町", "木月", "新丸子町")),
    ("神奈川県", "14", "相模原市南区", ("相模大野", "上鶴間", "麻溝台")),
    ("新潟県", "15", "新潟市中央区", ("古町通", "東大通", "万代")),
    ("長野県", "20", "松本市", ("中央", "深志", "島立")),
    ("静岡県", "22", "浜松市中央区", ("鍛冶町", "佐鳴台", "高林")),
    ("愛知県", "23", "名古屋市千種区", ("今池", "覚王山通", "春岡")),
    ("愛知県", "23", "豊田市", ("小坂本町", "若宮町", "高橋町")),
    ("京都府", "26", "京都市左京区", ("下鴨", "北白川", "岩倉")),
    ("大阪府", "27", "大阪市北区", ("天神橋", "中崎", "本庄東")),
    ("大阪府", "27", "堺市堺区", ("宿院町", "三国ヶ丘御幸通", "中安井町")),
    ("大阪府", "27", "東大阪市", ("小阪", "長瀬町", "永和")),
    ("兵庫県", "28", "神戸市灘区", ("六甲町", "篠原本町", "水道筋")),
    ("広島県", "34", "広島市南区", ("皆実町", "宇品東", "段原")),
    ("愛媛県", "38", "松山市", ("道後", "久米窪田町", "三番町")),
    ("福岡県", "40", "福岡市博多区", ("博多駅前", "千代", "東比恵")),
    ("福岡県", "40", "北九州市小倉北区", ("魚町", "黒原", "中井")),
    ("熊本県", "43", "熊本市中央区", ("水前寺", "大江", "黒髪")),
    ("沖縄県", "47", "那覇市", ("首里", "泊", "古島")),
)
# Population-weighted: the Tokyo, Osaka and Nagoya areas dominate.
_PLACE_WEIGHTS = (4, 2, 2, 2, 2, 4, 2, 4, 3, 6, 4, 3, 4, 5, 4, 3, 2, 2, 3, 5, 2, 3, 5, 3, 2,
                  3, 2, 2, 4, 2, 2, 2)

_KANJI_DIGITS = "〇一二三四五六七八九"
_INST_PREFIX = ("さくら", "あおば", "みどり", "ひかり", "つばさ", "けやき", "やまぶき", "こもれび",
                "はなみずき", "いずみ", "かえで", "すずらん")


def luhn_check_digit(digits: str) -> str:
    """The check digit scheme of 保険者番号: weights 2,1,2,... from the right, digit sums."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n // 10 + n % 10
    return str((10 - total % 10) % 10)


def insurer_numbers(rng: Random, age: int, pref_code: str) -> tuple[str, str]:
    """(insurer, insured): 後期高齢者医療 (law number 39) from 75, else 協会けんぽ or a union."""
    if age >= 75:
        insurer = "39" + pref_code + f"{rng.randint(1, 999):03d}"
        insured = f"{rng.randint(0, 99_999_999):08d}"
    elif rng.random() < 0.6:
        insurer = "01" + pref_code + f"{rng.randint(1, 20):03d}"
        insured = f"{rng.randint(1, 99_999_999):08d}・{rng.randint(1, 9):02d}"
    else:
        insurer = "06" + pref_code + f"{rng.randint(1, 999):03d}"
        insured = f"{rng.randint(1, 9999):d}・{rng.randint(1, 99_999):d}"
    return insurer + luhn_check_digit(insurer), insured


def birth_date_for_age(rng: Random, age: int, reference: date) -> date:
    """A birth date that makes the patient exactly `age` on the reference date."""
    latest = years_before(reference, age)
    return latest - timedelta(days=rng.randint(0, 364))


def years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def age_on(birth: date, d: date) -> int:
    return d.year - birth.year - ((d.month, d.day) < (birth.month, birth.day))


def pick_place(rng: Random, prefecture: str | None = None) -> tuple[str, str, str, str]:
    """(prefecture, code, city, town)."""
    places = [p for p in PLACES if prefecture is None or p[0] == prefecture]
    weights = [w for p, w in zip(PLACES, _PLACE_WEIGHTS) if prefecture is None or p[0] == prefecture]
    pref, code, city, towns = rng.choices(places, weights)[0]
    return pref, code, city, rng.choice(towns)


def address_line(rng: Random, place: tuple[str, str, str, str]) -> str:
    pref, _code, city, town = place
    chome = _KANJI_DIGITS[rng.randint(1, 5)] + "丁目"
    line = f"{pref}{city}{town}{chome}{rng.randint(1, 30)}番{rng.randint(1, 25)}号"
    if rng.random() < 0.25:
        line += f" {rng.choice(('コーポ', 'ハイツ', 'メゾン', 'パレス'))}{rng.choice(_INST_PREFIX)}"
        line += f"{rng.randint(1, 5)}0{rng.randint(1, 8)}号室"
    return line


def given_name(rng: Random, sex: str, birth_year: int) -> tuple[str, str]:
    era = next(i for i, (lo, hi) in enumerate(_ERAS) if lo <= birth_year <= hi)
    return rng.choice(GIVEN[sex][era])


def card_face(rng: Random, age: int, sex: str, reference: date,
              prefecture: str | None = None) -> tuple[CardFace, tuple[str, str, str, str]]:
    """A complete 券面情報 for a patient of the given age and sex on the reference date."""
    birth = birth_date_for_age(rng, age, reference)
    fam, fam_kana = rng.choice(FAMILY)
    giv, giv_kana = given_name(rng, sex, birth.year)
    place = pick_place(rng, prefecture)
    insurer, insured = insurer_numbers(rng, age, place[1])
    face = CardFace(name=f"{fam} {giv}", kana=f"{fam_kana} {giv_kana}", birth_date=birth,
                    sex=sex, address=address_line(rng, place), insurer_number=insurer,
                    insured_number=insured)
    return face, place


def institutions(rng: Random, place: tuple[str, str, str, str]) -> dict[str, str]:
    """The patient's institutions near home: family clinic, hospital, dialysis centre, checkups."""
    city = place[2].replace("市", "", 1) if place[2].count("市") == 1 and place[2].endswith("市") \
        else place[3]
    p1, p2, p3, p4 = rng.sample(_INST_PREFIX, 4)
    return {
        "clinic": f"{p1}{rng.choice(('内科クリニック', '内科医院', '診療所', 'ファミリークリニック'))}",
        "hospital": f"{city}{rng.choice(('中央病院', '総合病院', '記念病院', '医療センター'))}",
        "emergency": f"{p2}{rng.choice(('救急病院', '総合病院', '脳神経外科病院'))}",
        "dialysis": f"{p3}透析クリニック",
        "checkup": f"{p4}健診センター",
        "specialist": f"{p2}{rng.choice(('整形外科', '眼科', '皮膚科クリニック', '耳鼻咽喉科'))}",
    }
