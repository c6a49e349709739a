// The operators' actions on the admin pages: publish a bundle (upload, inspect, confirm), enroll
// a kiosk, withdraw a kiosk. Each goes through the same code as its cardhub command
// (hub/admin.h) and is written to the audit log.
#include <cstdio>
#include <cstdlib>

#include "base/file.h"
#include "base/hex.h"
#include "base/time_format.h"
#include "bundle/format.h"
#include "bundle/importer.h"
#include "card/crypto.h"
#include "hub/admin.h"
#include "registry/registry.h"
#include "registry/schema.h"
#include "web.h"

namespace hub::web {
namespace {

// What a command wrote to its FILE*.
class Capture {
 public:
  Capture() : f_(open_memstream(&buf_, &size_)) {}
  ~Capture() {
    if (f_) std::fclose(f_);
    std::free(buf_);
  }
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;
  std::FILE* file() { return f_ ? f_ : stderr; }
  std::string text() {
    if (f_) std::fflush(f_);
    return std::string(buf_ ? buf_ : "", size_);
  }

 private:
  char* buf_ = nullptr;
  size_t size_ = 0;
  std::FILE* f_;
};

// What `cardctl bundle inspect` shows: the manifest, the signer, the content checked and counted.
base::Result<std::string> InspectBundle(base::FileSystem& fs, const std::string& path,
                                        const std::string& scratch) {
  CK_ASSIGN_OR_RETURN(std::unique_ptr<base::SequentialFile> in, fs.OpenSequential(path));
  CK_ASSIGN_OR_RETURN(bundle::Header h, bundle::ReadHeader(*in, nullptr));
  const bundle::Manifest& m = h.manifest;
  std::string out = "format version: " + std::to_string(m.version) +
                    "\nseq: " + std::to_string(m.seq) +
                    "\ncreated: " + base::FormatIso8601Utc(m.created) +
                    "\nnot_after: " + base::FormatIso8601Utc(m.not_after) +
                    "\nissuer: " + m.issuer + "\ncontent: " + std::to_string(m.content_size) +
                    " bytes, " + std::string(bundle::CompressionName(m.compression)) + ", sha256 " +
                    base::ToHex(m.content_sha256) + "\nsigned by: " + base::ToHex(h.kid) + " (" +
                    std::string(card::AlgName(h.alg)) + ")\n";
  if (m.is_delta()) {
    return out + "delta from seq: " + std::to_string(m.base_seq) + "\n";
  }
  {
    CK_ASSIGN_OR_RETURN(std::unique_ptr<base::WritableFile> reg, fs.OpenWritable(scratch, 0600));
    base::Status st = bundle::ExtractContent(*in, m, *reg, bundle::kMaxRegistryBytes);
    base::Status closed = reg->Close();
    CK_TRY(st);
    CK_TRY(closed);
  }
  base::Result<std::unique_ptr<registry::Registry>> reg = registry::Registry::Open(scratch);
  if (!reg.ok()) return reg.status();
  CK_ASSIGN_OR_RETURN(registry::Registry::Counts n, (*reg)->CountRows());
  return out + "content: OK (hash matches)\nmode: " +
         std::string(registry::ListModeName((*reg)->mode())) +
         "-list\nissuer_keys: " + std::to_string(n.issuer_keys) +
         "\nmember_status: " + std::to_string(n.members) +
         "\npartners: " + std::to_string(n.partners) + "\noffers: " + std::to_string(n.offers) +
         "\nevents: " + std::to_string(n.events) + "\nroster: " + std::to_string(n.roster) + "\n";
}

bool IsToken(const std::string& s) {
  return s.size() == 32 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

void AdminWeb::PublishForm(Ctx& c) {
  if (!c.is_operator()) return Fail(c, 403, c.t("err.operator"));
  std::string body =
      "<div class=\"box\"><form method=\"post\" action=\"/admin/publish\" "
      "enctype=\"multipart/form-data\" id=\"upload\">" +
      c.csrf_field() + "<label for=\"bundle\">" + Html(c.t("act.upload")) +
      "</label><input type=\"file\" id=\"bundle\" name=\"bundle\" "
      "accept=\".ckbundle\" required><p><button type=\"submit\">" +
      Html(c.t("act.inspect")) + "</button></p></form></div>";
  SendPage(c, c.t("act.publish"), body);
}

void AdminWeb::PublishUpload(Ctx& c) {
  if (!TakeForm(c, true)) return;
  const std::string& bytes = c.form["bundle"];
  if (bytes.empty()) return Fail(c, 400, "no bundle file in the form (field 'bundle')");
  const std::string id = RandomToken().substr(0, 32);
  const std::string dir = options_.data_dir + "/uploads";
  const std::string path = dir + "/" + id + ".ckbundle";
  base::Status st = base::MakeDirs(dir, 0700);
  if (st.ok()) st = base::WriteFileAtomic(path, bytes, 0600);
  if (!st.ok()) return Fail(c, 500, st.ToString());
  base::Result<std::string> info = InspectBundle(fs_, path, path + ".registry");
  (void)fs_.Remove(path + ".registry");
  if (!info.ok()) {
    (void)fs_.Remove(path);
    Audit(c, "publish.inspect", std::to_string(bytes.size()) + " bytes",
          "refused: " + info.status().message());
    return Fail(c, 422, info.status().message());
  }
  Audit(c, "publish.inspect", id, "ok");
  std::string body = "<pre id=\"inspect\">" + Html(*info) +
                     "</pre><form method=\"post\" action=\"/admin/publish/confirm\" "
                     "id=\"confirm\">" +
                     c.csrf_field() + "<input type=\"hidden\" name=\"upload\" value=\"" + id +
                     "\"><button type=\"submit\">" + Html(c.t("act.confirm_publish")) +
                     "</button></form>";
  SendPage(c, c.t("act.publish"), body);
}

void AdminWeb::PublishConfirm(Ctx& c) {
  if (!TakeForm(c, true)) return;
  const std::string id = c.form["upload"];
  if (!IsToken(id)) return Fail(c, 400, "upload: not an uploaded bundle's id");
  const std::string path = options_.data_dir + "/uploads/" + id + ".ckbundle";
  if (!fs_.Exists(path)) return Fail(c, 404, "upload " + id + ": not found (published already?)");
  Capture out;
  base::Status st = Publish(store_, fs_, options_.data_dir, path, std::nullopt,
                            clock_.NowUnixSeconds(), out.file());
  (void)fs_.Remove(path);
  Audit(c, "publish", out.text().empty() ? id : out.text(),
        st.ok() ? "ok" : "refused: " + st.message());
  if (!st.ok()) return Fail(c, 409, st.message());
  SendPage(c, c.t("act.published"), "<p class=\"ok\" id=\"result\">" + Html(out.text()) + "</p>");
}

void AdminWeb::EnrollForm(Ctx& c, std::string_view message) {
  if (!c.is_operator()) return Fail(c, 403, c.t("err.operator"));
  std::string body;
  if (!message.empty()) body += "<p class=\"err\" id=\"error\">" + Html(message) + "</p>";
  body +=
      "<div class=\"box\"><form method=\"post\" action=\"/admin/enroll\" "
      "enctype=\"multipart/form-data\" id=\"enroll\">" +
      c.csrf_field() + "<label for=\"name\">" + Html(c.t("col.name")) +
      "</label><input type=\"text\" id=\"name\" name=\"name\" maxlength=\"128\" required>"
      "<label for=\"pem\">" +
      Html(c.t("act.key_pem")) +
      "</label><textarea id=\"pem\" name=\"pem\" rows=\"6\"></textarea><label for=\"pem_file\">" +
      Html(c.t("act.key_file")) +
      "</label><input type=\"file\" id=\"pem_file\" name=\"pem_file\" accept=\".pem\">"
      "<p><button type=\"submit\">" +
      Html(c.t("act.enroll")) + "</button></p></form></div>";
  SendPage(c, c.t("act.enroll"), body, message.empty() ? 200 : 422);
}

void AdminWeb::PostEnroll(Ctx& c) {
  if (!TakeForm(c, true)) return;
  const std::string name = c.form["name"];
  const std::string pem = c.form["pem_file"].empty() ? c.form["pem"] : c.form["pem_file"];
  if (pem.size() > 64 * 1024) return EnrollForm(c, "the key is larger than 64 KiB");
  const std::string path = options_.data_dir + "/enroll-" + RandomToken().substr(0, 16) + ".pem";
  base::Status st = base::WriteFileAtomic(path, pem, 0600);
  Capture out;
  if (st.ok()) st = Enroll(store_, path, name, clock_.NowUnixSeconds(), out.file());
  (void)fs_.Remove(path);
  Audit(c, "enroll", name, st.ok() ? "ok" : "refused: " + st.message());
  if (!st.ok()) return EnrollForm(c, st.message());
  SendPage(c, c.t("act.enrolled"),
           "<p class=\"ok\" id=\"result\">" + Html(out.text()) + "</p><p><a href=\"/admin/\">" +
               Html(c.t("nav.fleet")) + "</a></p>");
}

void AdminWeb::PostWithdraw(Ctx& c) {
  if (!TakeForm(c, true)) return;
  const std::string name = c.form["name"];
  if (c.form["confirm"] != "yes") return Fail(c, 400, "confirm=yes is required to withdraw");
  Capture out;
  base::Status st = Withdraw(store_, name, out.file());
  Audit(c, "withdraw", name, st.ok() ? "ok" : "refused: " + st.message());
  if (!st.ok()) return Fail(c, st.code() == base::StatusCode::kNotFound ? 404 : 500, st.message());
  SendPage(c, c.t("act.withdrawn"), "<p class=\"ok\" id=\"result\">" + Html(out.text()) + "</p>");
}

}  // namespace hub::web
