"""Word lists per language: speech verbs, relays, naming words. Data, not logic."""

from __future__ import annotations

import re

# Verbs that introduce reported words; the speaker is their subject (before, or after in VSO order).
_SPEECH_EN = (
    r"said|says|say|stated|states|told|tells|added|adds|wrote|writes|claimed|claims|announced|announces|"
    r"affirmed|affirms|maintained|maintains|concluded|described|describes|called|calls|stressed|stresses|"
    r"insisted|insists|argued|argues|noted|declared|declares|warned|warns|believes|believed|asserted|"
    r"asserts|explained|tweeted|replied|responded|remarked|urged|emphasi[sz]ed|underlined|acknowledged|"
    r"admitted|denied|promised|vowed|pledged|assured|critici[sz]ed|decried|complained|recalled|"
    r"continued|went on|put it|asked|answered|repeated|suggested that|quipped|saying"
)
_SPEECH_RU = (
    r"сказал[аи]?|заявил[аи]?|заявляет|отметил[аи]?|подчеркнул[аи]?|добавил[аи]?|написал[аи]?|"
    r"пояснил[аи]?|уточнил[аи]?|признал[аи]?|считает|говорит|назвал[аи]?|предупредил[аи]?|"
    r"ответил[аи]?|заверил[аи]?|призвал[аи]?|констатировал[аи]?|указал[аи]?|продолжил[аи]?|"
    r"говорил[аи]?|называл[аи]?|заявлял[аи]?|называет|подчеркивает|подчёркивает"
)
_SPEECH_FA = (
    r"گفت|گفته است|افزود|اظهار داشت|اظهار کرد|تاکید کرد|تأکید کرد|اعلام کرد|نوشت|خاطرنشان کرد|"
    r"تصریح کرد|عنوان کرد|ادامه داد|بیان کرد"
)
_SPEECH_AR = r"و?قال|يقول|و?أضاف|و?صرح|و?أكد|و?أعلن|و?كتب|و?أشار|و?اعتبر|و?تابع|و?أوضح"
SPEECH = re.compile(rf"(?<!\w)(?:{_SPEECH_EN}|{_SPEECH_RU}|{_SPEECH_FA}|{_SPEECH_AR})(?!\w)", re.IGNORECASE)

# A relay passes on someone else's words: its subject or object is the channel, not the speaker.
RELAY = re.compile(
    r"(?<!\w)(?:reported|reports|quoted|cites|cited|citing|according to|in an interview with|told|"
    r"передает|передаёт|сообщает|сообщило|по данным|цитирует|в интервью|به گزارش|به نقل از|"
    r"نقلا عن|نقلاً عن|بحسب|وفقا ل|وفقاً ل|ذكرت|أفادت)(?!\w)",
    re.IGNORECASE,
)
# Cues whose speaker follows them: "according to X", "по словам X", "به گفته X", "reportedly, X ...".
SPEAKER_AFTER = re.compile(
    r"(?<!\w)(?:according to|reportedly|in the words of|по словам|как заявил[аи]?|به گفته|به اعتقاد|"
    r"بحسب|وفقا ل|وفقاً ل|حسب)(?!\w)",
    re.IGNORECASE,
)
RELAY_VERBS = re.compile(r"(?<!\w)(?:reported|quoted|cited|передает|передаёт|сообщает|цитирует)(?!\w)", re.I)

# Words before a quotation that make it a name: the so-called "X", the «X» company, a pipeline called "X".
NAMING_BEFORE = re.compile(
    r"(?:so-called|dubbed|named|called|codenamed|known as|titled|entitled|brand|company|pipeline|project|"
    r"operation|party|newspaper|agency|movement|group|компания|компании|компанией|газопровод|проект|"
    r"операция|операции|партия|партии|газета|газеты|агентство|концерн|холдинг|так называемый|"
    r"так называемая|так называемые|شرکت|خط لوله|پروژه|روزنامه|خبرگزاری|عملیات|حزب|شركة|مشروع|"
    r"صحيفة|وكالة|عملية|ما يسمى|ما يُسمى|المسماة|المسمى|المعروفة باسم)\s*$",
    re.IGNORECASE,
)
# Nouns right after a quotation that it only labels: the "maximum pressure" campaign.
NAMING_AFTER = re.compile(
    r"^\s*(?:campaign|policy|policies|pipeline|project|programme|program|initiative|doctrine|strategy|"
    r"discourse|deal|plan|operation|format|process|movement|party|company|group|law|bill|act|concept|"
    r"narrative|approach|axis|camp|agenda)\b",
    re.IGNORECASE,
)
CLAUSE_BREAK = re.compile(r"[,:;—–(]|\bthat\b|\bчто\b|\bکه\b|\bأن\b|\bإن\b", re.IGNORECASE)
LEADING_FILLER = re.compile(r"^(?:and|but|also|then|и|а|но|также|و|همچنین|ثم)\s+", re.IGNORECASE)
LATER = re.compile(
    r"(?<!\w)(?:later|afterwards|subsequently|позже|позднее|затем|بعدا|بعداً|لاحقا)(?!\w)", re.I
)
