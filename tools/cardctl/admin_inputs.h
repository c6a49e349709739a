// The bundle's partners, offers, events and roster files: read as the admin saved them
// (cardctl_export::ReadAdminFile), then checked and parsed by the registry's readers on the
// canonical text, with every message pointing at the admin's file and line.
#pragma once

#include <string>

#include "args.h"
#include "base/bytes.h"
#include "base/fs.h"
#include "registry/builder.h"

namespace cardctl {

// The flags this reads: --partners --offers --events --roster, --encoding, --utc-offset,
// --allow-unknown-roster. c->members must be loaded (roster IDs are checked against it).
base::Status LoadAdminFiles(base::FileSystem& fs, const Args& args, base::ByteSpan secret,
                            registry::RegistryContents* c);

}  // namespace cardctl
