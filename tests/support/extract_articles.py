"""Short news items written for the extraction tests (not real articles), with their publication dates.

Each is in the style of a wire report in its language: quotations in that language's marks, a relay
agency, a pronoun or a dropped subject, a name in quotation marks, and a date cue.
"""

from __future__ import annotations

from timeline.services.extraction import KnownActor, KnownTopic

ACTORS = [
    KnownActor(
        "russia",
        "Government of Russia",
        "government",
        None,
        "Russia",
        ("Россия", "Moscow", "Москва", "Kremlin", "Кремль"),
    ),
    KnownActor("iran", "Government of Iran", "government", None, "Iran", ("ایران", "Tehran", "طهران")),
    KnownActor(
        "dmitry-peskov",
        "Dmitry Peskov",
        "person",
        "Press Secretary of the President of Russia",
        "Russia",
        ("Дмитрий Песков",),
    ),
    KnownActor(
        "sergey-lavrov",
        "Sergey Lavrov",
        "person",
        "Foreign Minister of Russia",
        "Russia",
        ("Сергей Лавров", "سيرغي لافروف"),
    ),
    KnownActor(
        "mohammad-javad-zarif",
        "Mohammad Javad Zarif",
        "person",
        "Foreign Minister of Iran",
        "Iran",
        ("محمدجواد ظریف", "Javad Zarif"),
    ),
    KnownActor(
        "ali-akbar-salehi",
        "Ali Akbar Salehi",
        "person",
        "Head of the Atomic Energy Organization of Iran",
        "Iran",
        ("علی‌اکبر صالحی",),
    ),
    KnownActor("tass", "TASS", "media", "News agency", "Russia", ("ТАСС", "تاس")),
    KnownActor("irna", "IRNA", "media", "News agency", "Iran", ("ایرنا",)),
    KnownActor("ria-novosti", "RIA Novosti", "media", "News agency", "Russia", ("РИА Новости",)),
]
TOPICS = [
    KnownTopic("jcpoa", "JCPOA (Iran nuclear deal)", "The 2015 Joint Comprehensive Plan of Action."),
    KnownTopic("us-sanctions", "U.S. sanctions on Iran", "Unilateral U.S. sanctions on Iran."),
]

# Published Wednesday 27 January 2021.
RUSSIAN = (
    "МОСКВА, 27 января. Пресс-секретарь президента России Дмитрий Песков заявил во вторник, что Москва "
    "«не видит альтернативы» ядерной сделке с Ираном.\n"
    "«Мы по-прежнему считаем, что СВПД — единственный путь к стабильности в регионе», — сказал Песков "
    "журналистам, сообщает ТАСС. По его словам, «Газпром» продолжит работу в регионе. «Никаких переговоров "
    "о ракетной программе сейчас быть не может», — добавил он.\n"
    "Министр иностранных дел Сергей Лавров в прошлом году называл санкции США «незаконными». Так называемая "
    "«кампания максимального давления» провалилась, пишет «Коммерсантъ»."
)
# Published Saturday 23 January 2021.
PERSIAN = (
    "محمدجواد ظریف، وزیر امور خارجه ایران، روز جمعه گفت: «ایران هیچ پیش‌شرطی برای بازگشت آمریکا به برجام "
    "نمی‌پذیرد.» او افزود: «تحریم‌ها باید بدون قید و شرط لغو شوند.»\n"
    "به گزارش ایرنا، علی‌اکبر صالحی نیز اظهار داشت: «همکاری با آژانس ادامه خواهد داشت.»\n"
    "روزنامه «کیهان» در سرمقاله خود از سیاست «نگاه به شرق» دفاع کرد."
)
# Published Wednesday 27 January 2021.
ARABIC = (
    "قال وزير الخارجية الروسي سيرغي لافروف يوم الثلاثاء إن «على الولايات المتحدة العودة إلى الاتفاق النووي "
    "دون شروط». وأضاف: «لن نقبل بأي ضغوط على طهران».\n"
    "ونقلت وكالة «تاس» عن مصدر دبلوماسي أن الحملة المسماة «الضغط الأقصى» فشلت."
)
# Published Wednesday 27 January 2021.
ENGLISH = (
    "Russia's Foreign Minister Sergey Lavrov told RIA Novosti on Monday that Washington \"must return to "
    'the deal without preconditions." "We are ready," he said, "but not at any price."\n'
    "Earlier this week, a senior Iranian diplomat said: ‹The sanctions must be lifted first, and all of "
    "them.›\n"
    'The so-called "moderates" in Tehran have lost ground since the "maximum pressure" campaign began, and '
    'the Nord Stream 2 pipeline, which officials call "Nord Stream 2", was not mentioned.\n'
    "“We will never accept the „snapback“ of UN sanctions,” Javad Zarif wrote on Twitter last year."
)
