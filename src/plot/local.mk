# (sources listed here by the owner of this folder)
