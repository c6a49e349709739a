#include "hub/admin_cli.h"

#include <termios.h>
#include <unistd.h>

#include "base/time_format.h"
#include "hub/admin_accounts.h"

namespace hub {
namespace {

// One line of standard input, without its line end.
base::Result<std::string> ReadLine(std::FILE* in) {
  std::string line;
  for (int c; (c = std::fgetc(in)) != EOF && c != '\n';) {
    line.push_back(static_cast<char>(c));
    if (line.size() > kMaxPasswordBytes + 1) break;
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty() && std::feof(in)) return base::InvalidArgument("no password on standard input");
  return line;
}

// Reads a line from the terminal with echo off; the terminal is restored afterwards.
base::Result<std::string> ReadHidden(const char* prompt, std::FILE* in, std::FILE* err) {
  std::fputs(prompt, err);
  std::fflush(err);
  termios old{};
  const bool tty = tcgetattr(fileno(in), &old) == 0;
  if (tty) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    (void)tcsetattr(fileno(in), TCSAFLUSH, &quiet);
  }
  base::Result<std::string> line = ReadLine(in);
  if (tty) (void)tcsetattr(fileno(in), TCSAFLUSH, &old);
  std::fputs("\n", err);
  return line;
}

// From the terminal (twice, without echo) or, when stdin is not one, its first line.
base::Result<std::string> ReadPassword(std::FILE* in, std::FILE* err) {
  if (!isatty(fileno(in))) return ReadLine(in);
  CK_ASSIGN_OR_RETURN(std::string first, ReadHidden("password: ", in, err));
  CK_ASSIGN_OR_RETURN(std::string again, ReadHidden("password again: ", in, err));
  if (first != again) return base::InvalidArgument("the two passwords differ");
  return first;
}

}  // namespace

base::Status RunAdminAccounts(const AdminCommand& cmd, std::FILE* in, std::FILE* out,
                              std::FILE* err) {
  if (cmd.action == "list") {
    CK_ASSIGN_OR_RETURN(std::vector<AdminAccount> all, LoadAccounts(cmd.data_dir));
    std::fprintf(out, "name\trole\tcreated\n");
    for (const AdminAccount& a : all) {
      std::fprintf(out, "%s\t%s\t%s\n", a.name.c_str(), std::string(AdminRoleName(a.role)).c_str(),
                   base::FormatIso8601Utc(a.created).c_str());
    }
    return base::Status::Ok();
  }
  if (cmd.name.empty()) return base::InvalidArgument("--name NAME is required");
  if (cmd.action == "remove") {
    CK_TRY(RemoveAccount(cmd.data_dir, cmd.name));
    std::fprintf(out, "removed admin %s\n", cmd.name.c_str());
    return base::Status::Ok();
  }
  if (cmd.action != "add") {
    return base::InvalidArgument("admin takes add, remove or list, got '" + cmd.action + "'");
  }
  CK_ASSIGN_OR_RETURN(AdminRole role, ParseAdminRole(cmd.role));
  CK_ASSIGN_OR_RETURN(std::string password, ReadPassword(in, err));
  CK_ASSIGN_OR_RETURN(AdminAccount a,
                      MakeAccount(cmd.name, role, password, cmd.iterations, cmd.now));
  CK_TRY(AddAccount(cmd.data_dir, a));
  std::fprintf(out, "added admin %s (%s)\n", a.name.c_str(), cmd.role.c_str());
  return base::Status::Ok();
}

}  // namespace hub
