// Hardware module.
