#include "web_text.h"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/text.h"

namespace hub::web {
namespace {

struct Row {
  std::string_view key, en, ru, kk;
};

// Keep sorted by key (looked up by binary search; a test checks the order).
constexpr Row kTable[] = {
    {"act.confirm_publish", "Publish this bundle", "Опубликовать этот пакет",
     "Осы пакетті жариялау"},
    {"act.enroll", "Enroll a kiosk", "Подключить киоск", "Киоскіні қосу"},
    {"act.enrolled", "Enrolled", "Подключён", "Қосылды"},
    {"act.inspect", "Check the bundle", "Проверить пакет", "Пакетті тексеру"},
    {"act.key_file", "or as a file", "или файлом", "немесе файл ретінде"},
    {"act.key_pem", "Public key (PEM), pasted", "Открытый ключ (PEM), вставкой",
     "Ашық кілт (PEM), қою арқылы"},
    {"act.publish", "Publish a bundle", "Опубликовать пакет", "Пакетті жариялау"},
    {"act.published", "Published", "Опубликован", "Жарияланды"},
    {"act.upload", "Bundle file (.ckbundle)", "Файл пакета (.ckbundle)", "Пакет файлы (.ckbundle)"},
    {"act.withdraw", "Withdraw", "Отключить", "Ажырату"},
    {"act.withdraw_confirm", "Withdraw this kiosk? It can no longer sync.",
     "Отключить этот киоск? Он больше не сможет синхронизироваться.",
     "Бұл киоскіні ажырату керек пе? Ол енді синхрондай алмайды."},
    {"act.withdrawn", "Withdrawn", "Отключён", "Ажыратылды"},
    {"audit.action", "Action", "Действие", "Әрекет"},
    {"audit.address", "Address", "Адрес", "Мекенжай"},
    {"audit.outcome", "Outcome", "Итог", "Нәтиже"},
    {"audit.user", "User", "Пользователь", "Пайдаланушы"},
    {"col.acked", "Acknowledged", "Подтверждено", "Расталды"},
    {"col.alarms", "Alarms", "Тревоги", "Дабылдар"},
    {"col.app", "App version", "Версия", "Нұсқа"},
    {"col.capacity", "Capacity", "Вместимость", "Сыйымдылық"},
    {"col.cashback", "Cashback, ₽", "Кэшбэк, ₽", "Кэшбэк, ₽"},
    {"col.checkins", "Check-ins", "Отметки", "Белгілер"},
    {"col.clock", "Clock corrections", "Поправки часов", "Сағат түзетулері"},
    {"col.count", "Count", "Кол-во", "Саны"},
    {"col.detail", "Detail", "Подробности", "Толығырақ"},
    {"col.discount", "Discount, ₽", "Скидка, ₽", "Жеңілдік, ₽"},
    {"col.disk", "Disk free", "Свободно на диске", "Дискіде бос"},
    {"col.event", "Event", "Мероприятие", "Іс-шара"},
    {"col.failed", "Failed scans", "Отказы сканирования", "Сканерлеу бас тартулары"},
    {"col.gaps", "Gaps", "Пропуски", "Олқылықтар"},
    {"col.http", "HTTP", "HTTP", "HTTP"},
    {"col.journal", "Journal: last seq", "Журнал: последний №", "Журнал: соңғы №"},
    {"col.kind", "Kind", "Вид", "Түрі"},
    {"col.last_contact", "Last contact", "Последняя связь", "Соңғы байланыс"},
    {"col.manual", "Without a card", "Без карты", "Картасыз"},
    {"col.members", "Unique members", "Уникальных участников", "Бірегей қатысушылар"},
    {"col.mode", "Mode / partner / event", "Режим / партнёр / мероприятие",
     "Режим / серіктес / іс-шара"},
    {"col.name", "Name", "Название", "Атауы"},
    {"col.offer", "Offer", "Предложение", "Ұсыныс"},
    {"col.partner", "Partner", "Партнёр", "Серіктес"},
    {"col.pi", "Temp. / undervoltage", "Темп. / недонапряжение", "Темп. / кернеу төмен"},
    {"col.purchase", "Purchases, ₽", "Покупки, ₽", "Сатып алулар, ₽"},
    {"col.registry", "Registry seq (latest)", "Реестр № (последний)", "Тізілім № (соңғы)"},
    {"col.registry_used", "Registry seq", "Реестр №", "Тізілім №"},
    {"col.repeats", "Repeats refused", "Повторы отклонены", "Қайталаулар қабылданбады"},
    {"col.seq", "Seq", "№", "№"},
    {"col.state", "State", "Состояние", "Күйі"},
    {"col.time", "Time", "Время", "Уақыт"},
    {"col.uptime", "Uptime", "Работает", "Жұмыс уақыты"},
    {"col.voids", "Voids", "Отмены", "Болдырмаулар"},
    {"col.what", "Request", "Запрос", "Сұрау"},
    {"err.csrf",
     "The form is stale or not from this page (CSRF token missing or wrong). Reload "
     "the page and try again.",
     "Форма устарела или отправлена не с этой страницы (нет или неверный CSRF-токен). Обновите "
     "страницу и повторите.",
     "Пішін ескірген немесе осы беттен жіберілмеген (CSRF белгісі жоқ немесе қате). Бетті "
     "жаңартып, қайталаңыз."},
    {"err.locked", "Too many failed logins. Try again in 15 minutes.",
     "Слишком много неудачных входов. Повторите через 15 минут.",
     "Сәтсіз кіру әрекеттері тым көп. 15 минуттан кейін қайталаңыз."},
    {"err.login", "Wrong user name or password.", "Неверное имя или пароль.",
     "Пайдаланушы аты немесе құпиясөз қате."},
    {"err.not_found", "No such page.", "Такой страницы нет.", "Мұндай бет жоқ."},
    {"err.operator", "Only an operator may do this; your account is a viewer.",
     "Это может только оператор; ваша учётная запись — наблюдатель.",
     "Мұны тек оператор жасай алады; сіздің есептік жазбаңыз — бақылаушы."},
    {"events.per_hour", "Check-ins per hour", "Отметки по часам", "Сағат бойынша белгілер"},
    {"fleet.all", "All", "Все", "Барлығы"},
    {"fleet.amber", "Silent over 6 h", "Молчит больше 6 ч", "6 сағаттан астам үнсіз"},
    {"fleet.behind", "behind", "отстаёт", "артта"},
    {"fleet.conflicts", "%d conflicting batch(es)", "конфликтов: %d", "қайшы топтамалар: %d"},
    {"fleet.filter", "Show", "Показать", "Көрсету"},
    {"fleet.never", "Never seen", "Ни разу не выходил на связь", "Ешқашан байланыспаған"},
    {"fleet.new_chains", "%d new journal chain(s)", "новых цепочек журнала: %d",
     "журналдың жаңа тізбектері: %d"},
    {"fleet.ok", "In contact", "На связи", "Байланыста"},
    {"fleet.power_ok", "power OK", "питание в норме", "қуат қалыпты"},
    {"fleet.red", "Silent over 24 h", "Молчит больше 24 ч", "24 сағаттан астам үнсіз"},
    {"fleet.silent", "silent for %d h", "молчит %d ч", "%d сағ үнсіз"},
    {"fleet.undervoltage", "undervoltage!", "недонапряжение!", "кернеу төмен!"},
    {"fleet.withdrawn", "Withdrawn", "Отключён", "Ажыратылған"},
    {"kiosk.contacts", "Contacts and syncs", "Связь и синхронизации", "Байланыс және синхрондау"},
    {"kiosk.entries", "Last entries", "Последние записи", "Соңғы жазбалар"},
    {"kiosk.per_day", "Redemptions per day", "Погашения по дням", "Күн бойынша пайдалану"},
    {"kiosk.reports", "Status reports", "Отчёты о состоянии", "Күй есептері"},
    {"login.password", "Password", "Пароль", "Құпиясөз"},
    {"login.submit", "Log in", "Войти", "Кіру"},
    {"login.title", "Log in to cardhub", "Вход в cardhub", "cardhub-қа кіру"},
    {"login.user", "User", "Пользователь", "Пайдаланушы"},
    {"nav.audit", "Audit log", "Журнал действий", "Әрекеттер журналы"},
    {"nav.events", "Events", "Мероприятия", "Іс-шаралар"},
    {"nav.exports", "Exports", "Выгрузки", "Экспорттар"},
    {"nav.flags", "Flags", "Сигналы", "Белгілер"},
    {"nav.fleet", "Fleet", "Киоски", "Киосктер"},
    {"nav.logout", "Log out", "Выйти", "Шығу"},
    {"nav.partners", "Partners", "Партнёры", "Серіктестер"},
    {"nav.publish", "Publish", "Публикация", "Жариялау"},
    {"none", "none", "нет", "жоқ"},
    {"not_reported", "not reported yet", "ещё не сообщалось", "әлі хабарланбаған"},
    {"period.last", "Last month", "Прошлый месяц", "Өткен ай"},
    {"period.this", "This month", "Этот месяц", "Осы ай"},
    {"report.by", "Rows by", "Строки по", "Жолдар бойынша"},
    {"report.cashback", "Cashback per member (CSV)", "Кэшбэк по участникам (CSV)",
     "Қатысушылар бойынша кэшбэк (CSV)"},
    {"report.month", "Month", "Месяц", "Ай"},
    {"report.settlement", "Settlement", "Сверка", "Есеп айырысу"},
    {"total", "Total", "Итого", "Барлығы"},
};

}  // namespace

std::string_view LangCode(Lang l) {
  switch (l) {
    case Lang::kRu:
      return "ru";
    case Lang::kKk:
      return "kk";
    default:
      return "en";
  }
}

bool ParseLang(std::string_view code, Lang* out) {
  if (code == "en")
    *out = Lang::kEn;
  else if (code == "ru")
    *out = Lang::kRu;
  else if (code == "kk")
    *out = Lang::kKk;
  else
    return false;
  return true;
}

Lang FromAcceptLanguage(std::string_view header) {
  Lang best = Lang::kEn;
  double best_q = -1;
  size_t pos = 0;
  while (pos < header.size()) {
    size_t comma = header.find(',', pos);
    if (comma == std::string_view::npos) comma = header.size();
    std::string part = base::AsciiLower(base::TrimBlanks(header.substr(pos, comma - pos)));
    pos = comma + 1;
    double q = 1.0;
    if (size_t semi = part.find(';'); semi != std::string::npos) {
      size_t qat = part.find("q=", semi);
      if (qat != std::string::npos) q = std::atof(part.c_str() + qat + 2);
      part = std::string(base::TrimBlanks(part.substr(0, semi)));
    }
    Lang l;
    if (ParseLang(part.substr(0, 2), &l) && (part.size() == 2 || part[2] == '-') && q > best_q) {
      best = l;
      best_q = q;
    }
  }
  return best;
}

std::string_view T(Lang lang, std::string_view key) {
  auto it = std::lower_bound(std::begin(kTable), std::end(kTable), key,
                             [](const Row& r, std::string_view k) { return r.key < k; });
  if (it == std::end(kTable) || it->key != key) return "(?)";
  switch (lang) {
    case Lang::kRu:
      return it->ru;
    case Lang::kKk:
      return it->kk;
    default:
      return it->en;
  }
}

bool TableComplete() {
  for (size_t i = 0; i < std::size(kTable); ++i) {
    const Row& r = kTable[i];
    if (r.en.empty() || r.ru.empty() || r.kk.empty()) return false;
    if (i > 0 && !(kTable[i - 1].key < r.key)) return false;
  }
  return true;
}

}  // namespace hub::web
