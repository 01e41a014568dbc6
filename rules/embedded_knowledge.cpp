// The default knowledge base, decoded from the snapshot compiled from rules/ at build time.
#include "detail/snapshot.hpp"
#include "loader.hpp"

namespace combocheck {

KnowledgeBase load_embedded_knowledge() {
    return KnowledgeBase(detail::read_snapshot(detail::embedded_snapshot()));
}

}  // namespace combocheck
