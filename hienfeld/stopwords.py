"""Dutch function words left out of lemma matching: they say nothing about a clause's
subject. Our own list (importing spaCy's would load all of spaCy into every replica that scores)."""

STOP_LEMMAS = frozenset("""
aan af al alle alleen als altijd ander andere anders bij binnen boven buiten daar daarbij daarna
daarom daarvan dan dat de deze die dit doch door dus echter een eens en enig enige er erbij eveneens
ge geen haar had heb hebben heeft hem hen het hier hij hoe hun ik in indien is ja je kan kon kunnen
maar me meer men met mij mijn mits na naar naast niet niets noch nog nu of om omdat ons onder ook op
over per reeds te tegen ten ter tenzij toch toen tot u uit uw van vanaf veel voor vooraf want waar
waarbij waren was wat we wel welk welke werd wie wij wil worden wordt zal ze zelf zich zij zijn zo
zoals zonder zou zullen hebben zijn worden kunnen moeten zullen hun hare onze jullie elk elke iedere
ieder deze dezelfde hetzelfde waarin waarop waarvoor hierbij hiervan daarvoor daarin bedrag datum naam
""".split())
