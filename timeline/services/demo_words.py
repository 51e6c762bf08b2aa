"""The demo dataset's vocabulary (services/demo.py): words in three scripts, names, roles, topics, places."""

from __future__ import annotations


def _words(text_: str) -> list[str]:
    return text_.split()


LATIN = _words(
    "agreement sanctions negotiations security cooperation economy policy government president minister "
    "foreign affairs nuclear programme region peace dialogue treaty energy oil gas market trade diplomacy "
    "support opposition statement meeting proposal stability crisis strategy partner neighbour border "
    "defence people rights law future history relations bilateral Gulf Persian Caspian Moscow Tehran "
    "Washington Brussels Vienna JCPOA inspectors enrichment uranium commitments restraint escalation "
    "deterrence guarantees framework consultations summit delegation envoy ceasefire corridor pipeline "
    "tariffs exports imports currency banking reserves grain shipping waterway coalition alliance "
    "mediation verification compliance withdrawal return resumption principled pragmatic constructive "
    "unacceptable welcome regret urge insist reaffirm reject condemn endorse oppose propose consider "
    "review postpone accelerate resume suspend"
)
CYRILLIC = _words(
    "соглашение санкции переговоры Россия Иран безопасность Персидский залив сотрудничество экономика "
    "политика правительство президент министр иностранных дел ядерная программа США Европа регион мир "
    "диалог Москва Тегеран Вашингтон договор энергетика нефть газ рынок торговля дипломатия поддержка "
    "против заявление встреча предложение стабильность кризис стратегия партнёр сосед граница оборона "
    "народ право закон будущее история отношения двусторонние пожарная команда гарантии обязательства "
    "эскалация сдерживание консультации саммит делегация посланник перемирие коридор трубопровод пошлины "
    "экспорт импорт валюта банки резервы зерно судоходство коалиция союз посредничество проверка "
    "соблюдение выход возвращение возобновление прагматичный конструктивный недопустимо приветствуем "
    "сожалеем призываем настаиваем подтверждаем отвергаем осуждаем поддерживаем"
)
PERSIAN = _words(
    "توافق تحریم مذاکره ایران روسیه امنیت خلیج فارس همکاری اقتصاد سیاست دولت رئیس جمهور وزیر خارجه "
    "هسته‌ای برنامه آمریکا اروپا منطقه صلح گفتگو تهران مسکو واشنگتن قرارداد انرژی نفت گاز بازار تجارت "
    "دیپلماسی حمایت مخالفت بیانیه نشست پیشنهاد ثبات بحران راهبرد شریک همسایه مرز دفاع مردم حقوق قانون "
    "آینده تاریخ روابط دوجانبه برجام تضمین تعهدات تنش بازدارندگی رایزنی اجلاس هیئت فرستاده آتش‌بس کریدور "
    "خط لوله تعرفه صادرات واردات ارز بانک ذخایر غلات کشتیرانی ائتلاف اتحاد میانجیگری راستی‌آزمایی پایبندی "
    "خروج بازگشت ازسرگیری سازنده غیرقابل قبول استقبال تأسف تأکید رد محکوم"
)
SCRIPTS = (LATIN, CYRILLIC, PERSIAN)

COUNTRIES = [
    ("Russia", 1),
    ("Iran", 2),
    ("United States", 0),
    ("China", 0),
    ("France", 0),
    ("Germany", 0),
    ("United Kingdom", 0),
    ("Turkey", 0),
    ("Saudi Arabia", 0),
    ("Israel", 0),
    ("India", 0),
    ("Azerbaijan", 0),
    ("Armenia", 0),
    ("Kazakhstan", 1),
    ("Belarus", 1),
    ("Ukraine", 1),
    ("Afghanistan", 2),
    ("Tajikistan", 2),
    ("Iraq", 0),
    ("Syria", 0),
    ("Qatar", 0),
    ("Oman", 0),
    ("United Arab Emirates", 0),
    ("Pakistan", 0),
    ("Egypt", 0),
    ("Japan", 0),
    ("Brazil", 0),
    ("South Africa", 0),
    ("Kyrgyzstan", 1),
    ("Uzbekistan", 1),
]  # (country, script: 0 Latin, 1 Cyrillic, 2 Persian)
FIRST = {
    0: _words("John Maria Anna Peter Laura James Emma David Sophie Thomas Claire Robert Helen Daniel Julia"),
    1: _words("Vladimir Sergei Maria Dmitry Anna Nikolai Olga Alexei Elena Mikhail Irina Andrei Tatiana"),
    2: _words("Hassan Mohammad Zahra Ali Maryam Javad Fatemeh Reza Narges Hossein Leila Abbas Shirin"),
}
LAST = {
    0: _words("Smith Keller Novak Rossi Laurent Becker Walsh Moreau Fischer Hughes Brandt Carter Lindqvist"),
    1: _words("Ivanov Petrova Smirnov Volkov Kuznetsova Sokolov Lebedev Morozova Pavlov Orlov Zaitseva"),
    2: _words("Rahimi Tehrani Ahmadi Karimi Hosseini Moradi Rezaei Sadeghi Jafari Mousavi Heidari Ghasemi"),
}
# Transliterations for aliases: a search for "Иванов" or "رحیمی" finds the actor's events.
TRANSLIT_CYR = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyz",
        _words("а б к д е ф г х и й к л м н о п к р с т у в в кс ы з"),
        strict=True,
    )
)
TRANSLIT_FA = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyz",
        _words("ا ب ک د ه ف گ ه ی ج ک ل م ن و پ ق ر س ت و و و کس ی ز"),
        strict=True,
    )
)
ORG_WORDS = _words("Institute Council Foundation Centre Agency Forum Association Committee Union")
MEDIA = _words("Herald Tribune Observer Review Chronicle Dispatch Courier Gazette Monitor Post")
GROUPS = _words("Movement Front Bloc Alliance Initiative Coalition Caucus")
ROLES = (
    "Minister of Foreign Affairs",
    "President",
    "Deputy Foreign Minister",
    "Ambassador",
    "Spokesperson",
    "Prime Minister",
    "Minister of Energy",
    "Security Council Secretary",
    "Special Envoy",
    "Defence Minister",
)
TOPIC_NAMES = (
    "JCPOA",
    "US sanctions",
    "Gulf security",
    "Caspian cooperation",
    "Arms embargo",
    "Oil exports",
    "Nuclear inspections",
    "Syria settlement",
    "Eurasian integration",
    "Shipping corridor",
    "Currency swaps",
    "Grain deal",
    "Afghanistan",
    "Regional dialogue",
    "Energy prices",
    "Missile programme",
    "Human rights",
    "Trade tariffs",
    "Banking channels",
    "Space cooperation",
)
KINDS = ("statement", "interview", "meeting", "action", "publication", "proposal", "agreement", "other")
KIND_WEIGHTS = (45, 15, 10, 10, 8, 5, 4, 3)
CONFIDENCE = ("low", "medium", "high")
CONFIDENCE_WEIGHTS = (20, 50, 30)
CITIES = (
    "Moscow",
    "Tehran",
    "Sochi",
    "Vienna",
    "Geneva",
    "Ashgabat",
    "Baku",
    "Doha",
    "Muscat",
    "Brussels",
    "Washington",
    "Beijing",
    "Ankara",
    "New York",
    "Astana",
    "Dushanbe",
    "Yerevan",
)
PUBLISHERS = (
    "TASS",
    "IRNA",
    "Reuters",
    "Kommersant",
    "Tehran Times",
    "RIAC",
    "Al-Monitor",
    "Interfax",
    "ISNA",
    "Foreign Ministry",
    "Kremlin",
    "President.ir",
)
BASES = (
    "Date of the interview as published by the outlet.",
    "Dated by the official transcript.",
    "The article gives only the month; no transcript found.",
    "Approximate: reported a few days later without an exact date.",
    "Year only: the statement is quoted in a later review.",
    "Interval: the talks ran across these weeks.",
    "Date of the press release on the ministry's website.",
)
VERBS = (
    "on",
    "rejects",
    "welcomes",
    "calls for",
    "warns over",
    "backs",
    "questions",
    "restates",
    "softens line on",
    "hardens line on",
    "proposes talks on",
    "comments on",
)
