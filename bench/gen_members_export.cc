// Writes a registry export as Russian Excel saves one from 1C: Windows-1251, ';', Russian headers
// and values, member numbers with Cyrillic letters; and a roster of the same members in the same
// form (200 events of 500 members, the events of gen_registry_inputs).
//
//   gen_members_export OUT_DIR [MEMBERS]   -> OUT_DIR/members_1c.csv, OUT_DIR/roster_1c.csv
#include <iconv.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

namespace {

constexpr int kEvents = 200;
constexpr int kRosterPerEvent = 500;

// UTF-8 -> Windows-1251 (glibc iconv), for the generator only.
class ToCp1251 {
 public:
  ToCp1251() : cd_(iconv_open("CP1251", "UTF-8")) {}
  ~ToCp1251() { iconv_close(cd_); }
  std::string operator()(const std::string& utf8) {
    std::string in = utf8, out(utf8.size() + 8, '\0');
    char* ip = in.data();
    char* op = out.data();
    size_t il = in.size(), ol = out.size();
    if (iconv(cd_, &ip, &il, &op, &ol) == static_cast<size_t>(-1)) {
      std::perror("iconv");
      std::exit(2);
    }
    out.resize(out.size() - ol);
    return out;
  }

 private:
  iconv_t cd_;
};

std::FILE* Open(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    std::perror(path.c_str());
    std::exit(2);
  }
  return f;
}

std::string Id(long i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%08ld", i);
  return "КУР-" + std::string(buf);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: gen_members_export OUT_DIR [MEMBERS]\n");
    return 2;
  }
  const std::string dir = argv[1];
  const long members = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 3'500'000;
  std::mt19937_64 rng(42);
  ToCp1251 cp;
  static const char* const kFamily[] = {"Иванова", "Петров", "Сидорова", "Кузнецов", "Ёлкина"};
  static const char* const kGiven[] = {"Анна", "Пётр", "Мария", "Сергей", "Ольга"};
  static const char* const kCategory[] = {"работник", "студент", "пенсионер", "работник аппарата"};

  std::FILE* f = Open(dir + "/members_1c.csv");
  std::fputs(cp("Номер члена профсоюза;ФИО;Первичная организация;Категория;Номер выпуска;"
                "Номер билета;Статус\r\n")
                 .c_str(),
             f);
  for (long i = 0; i < members; ++i) {
    const unsigned r = static_cast<unsigned>(rng() % 100);
    const char* status = r < 95 ? "действует" : r < 98 ? "приостановлен" : "исключен";
    std::string row = Id(i) + ";" + kFamily[i % 5] + " " + kGiven[(i / 5) % 5] + " Ивановна;ОРГ-" +
                      std::to_string(i % 400) + ";" + kCategory[r % 4] + ";" +
                      (r < 90 ? "1" : "2") + ";" + std::to_string(1000000 + i) + ";" + status +
                      "\r\n";
    std::fputs(cp(row).c_str(), f);
  }
  std::fclose(f);

  f = Open(dir + "/roster_1c.csv");
  std::fputs(cp("Мероприятие;Учётный номер\r\n").c_str(), f);
  for (int e = 0; e < kEvents; ++e) {
    for (int k = 0; k < kRosterPerEvent; ++k) {
      char ev[8];
      std::snprintf(ev, sizeof ev, "E%03d", e);
      std::fputs(cp(std::string(ev) + ";" +
                    Id(static_cast<long>(rng() % static_cast<unsigned long>(members))) + "\r\n")
                     .c_str(),
                 f);
    }
  }
  std::fclose(f);
  return 0;
}
