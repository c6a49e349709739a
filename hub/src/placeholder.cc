// Filled in as the hub lands.
