// Proxies module.
