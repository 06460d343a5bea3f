/* The widget's UI strings in English, French, German, Spanish and
 * Portuguese: the one source of strings for both embed modes (the server
 * renders with feed_text, embed.js gets every language from
 * feed_i18n_json). Keys and placeholders are listed in docs/widget.md.
 *
 * Strings are static UTF-8 and hold no markup: whoever fills a placeholder
 * escapes the result for its context. French typography wants a no-break
 * space before ':', '?', '!' and '%', written here as \xc2\xa0.
 */
#include "chorus/feed.h"

#include <ctype.h>
#include <string.h>

#include "chorus/base.h"

enum { EN, FR, DE, ES, PT, N_LANGS };

static const char *const langs[N_LANGS] = {"en", "fr", "de", "es", "pt"};

struct text {
    const char *key;
    const char *t[N_LANGS]; /* en, fr, de, es, pt */
};

#define NB "\xc2\xa0" /* U+00A0 NO-BREAK SPACE */

/* Kept in the order of docs/widget.md. */
static const struct text texts[] = {
    {"reviews", {"Reviews", "Avis", "Bewertungen", "Opiniones", "Avaliações"}},
    {"reviews_of",
     {"Reviews of {name}", "Avis sur {name}", "Bewertungen zu {name}", "Opiniones sobre {name}",
      "Avaliações de {name}"}},
    {"review_count_one",
     {"{n} review", "{n} avis", "{n} Bewertung", "{n} opinión", "{n} avaliação"}},
    {"review_count_many",
     {"{n} reviews", "{n} avis", "{n} Bewertungen", "{n} opiniones", "{n} avaliações"}},
    {"no_ratings",
     {"No ratings yet", "Pas encore de note", "Noch keine Sternebewertungen",
      "Todavía sin valoraciones", "Ainda sem notas"}},
    {"out_of_5",
     {"{avg} out of 5 stars", "{avg} sur 5" NB "étoiles", "{avg} von 5 Sternen",
      "{avg} de 5 estrellas", "{avg} de 5 estrelas"}},
    {"rating_label",
     {"Rated {n} out of 5", "Noté {n} sur 5", "Mit {n} von 5 Sternen bewertet",
      "Valoración: {n} de 5", "Nota: {n} de 5"}},
    {"stars_one", {"1 star", "1" NB "étoile", "1 Stern", "1 estrella", "1 estrela"}},
    {"stars_n", {"{n} stars", "{n}" NB "étoiles", "{n} Sterne", "{n} estrellas", "{n} estrelas"}},
    {"histogram_label",
     {"Rating breakdown", "Répartition des notes", "Verteilung der Bewertungen",
      "Distribución de las valoraciones", "Distribuição das notas"}},
    {"histogram_share",
     {"{pct}% of ratings", "{pct}" NB "% des notes", "{pct}" NB "% der Bewertungen",
      "{pct}" NB "% de las valoraciones", "{pct}% das avaliações"}},
    {"read_reviews",
     {"Read the reviews", "Lire les avis", "Bewertungen lesen", "Leer las opiniones",
      "Ler as avaliações"}},
    {"top_positive",
     {"Top positive review", "Avis positif le plus utile", "Hilfreichste positive Bewertung",
      "Opinión positiva más útil", "Avaliação positiva mais útil"}},
    {"top_critical",
     {"Top critical review", "Avis critique le plus utile", "Hilfreichste kritische Bewertung",
      "Opinión crítica más útil", "Avaliação crítica mais útil"}},
    {"sort_label", {"Sort by", "Trier par", "Sortieren nach", "Ordenar por", "Ordenar por"}},
    {"sort_newest", {"Newest", "Plus récents", "Neueste zuerst", "Más recientes", "Mais recentes"}},
    {"sort_oldest", {"Oldest", "Plus anciens", "Älteste zuerst", "Más antiguas", "Mais antigas"}},
    {"sort_highest",
     {"Highest rated", "Mieux notés", "Beste Bewertung", "Mejor valoradas", "Melhor avaliadas"}},
    {"sort_lowest",
     {"Lowest rated", "Moins bien notés", "Schlechteste Bewertung", "Peor valoradas",
      "Pior avaliadas"}},
    {"sort_helpful", {"Most helpful", "Plus utiles", "Hilfreichste", "Más útiles", "Mais úteis"}},
    {"verified",
     {"Verified buyer", "Achat vérifié", "Verifizierter Kauf", "Compra verificada",
      "Compra verificada"}},
    {"read_more", {"Read more", "Lire la suite", "Weiterlesen", "Leer más", "Ler mais"}},
    {"read_less", {"Show less", "Réduire", "Weniger anzeigen", "Mostrar menos", "Mostrar menos"}},
    {"helpful_q",
     {"Was this helpful?", "Cet avis vous a-t-il été utile" NB "?",
      "War diese Bewertung hilfreich?", "¿Te ha resultado útil esta opinión?",
      "Esta avaliação foi útil?"}},
    {"yes", {"Yes", "Oui", "Ja", "Sí", "Sim"}},
    {"no", {"No", "Non", "Nein", "No", "Não"}},
    {"thanks_vote",
     {"Thanks for your feedback!", "Merci pour votre retour" NB "!", "Danke für Ihre Rückmeldung!",
      "¡Gracias por tu opinión!", "Obrigado pelo seu retorno!"}},
    {"already_voted",
     {"You have already voted on this review.", "Vous avez déjà voté pour cet avis.",
      "Sie haben bei dieser Bewertung bereits abgestimmt.", "Ya has votado esta opinión.",
      "Você já votou nesta avaliação."}},
    {"show_more",
     {"Show more reviews", "Afficher plus d’avis", "Weitere Bewertungen anzeigen",
      "Ver más opiniones", "Ver mais avaliações"}},
    {"no_reviews",
     {"No reviews yet.", "Aucun avis pour l’instant.", "Noch keine Bewertungen.",
      "Todavía no hay opiniones.", "Ainda não há avaliações."}},
    {"be_first",
     {"Be the first to share your experience with this product.",
      "Soyez le premier à partager votre expérience avec ce produit.",
      "Teilen Sie als Erster Ihre Erfahrungen mit diesem Produkt.",
      "Sé el primero en compartir tu experiencia con este producto.",
      "Seja o primeiro a compartilhar sua experiência com este produto."}},
    {"no_match",
     {"No reviews with this rating.", "Aucun avis avec cette note.",
      "Keine Bewertungen mit dieser Sternezahl.", "No hay opiniones con esta valoración.",
      "Nenhuma avaliação com esta nota."}},
    {"error",
     {"Reviews are not available right now.", "Les avis ne sont pas disponibles pour le moment.",
      "Bewertungen sind gerade nicht verfügbar.",
      "Las opiniones no están disponibles en este momento.",
      "As avaliações não estão disponíveis no momento."}},
    {"response_from",
     {"Response from {author} on {date}", "Réponse de {author} le {date}",
      "Antwort von {author} am {date}", "Respuesta de {author} el {date}",
      "Resposta de {author} em {date}"}},
    {"filter_all",
     {"All reviews", "Tous les avis", "Alle Bewertungen", "Todas las opiniones",
      "Todas as avaliações"}},
    {"filter_showing",
     {"Showing reviews rated {n} of 5", "Avis notés {n} sur 5", "Bewertungen mit {n} von 5 Sternen",
      "Opiniones con {n} de 5 estrellas", "Avaliações com nota {n} de 5"}},
    {"feed",
     {"Subscribe (Atom feed)", "S’abonner (flux Atom)", "Abonnieren (Atom-Feed)",
      "Suscribirse (feed Atom)", "Assinar (feed Atom)"}},
    {"anonymous", {"Anonymous", "Anonyme", "Anonym", "Anónimo", "Anônimo"}},
    {"mention",
     {"Mention (no rating)", "Mention (sans note)", "Erwähnung (ohne Sterne)",
      "Mención (sin valoración)", "Menção (sem nota)"}},
    {"loading",
     {"Loading reviews…", "Chargement des avis…", "Bewertungen werden geladen…",
      "Cargando opiniones…", "Carregando avaliações…"}},
    {"view_product",
     {"View the product", "Voir le produit", "Zum Produkt", "Ver el producto", "Ver o produto"}},
    {"share_title",
     {"{name} — {avg}★ from {count}", "{name} — {avg}★ sur {count}", "{name} — {avg}★ aus {count}",
      "{name} — {avg}★ de {count}", "{name} — {avg}★ em {count}"}},
    {"share_description",
     {"{count} of {name}, average {avg} out of 5.", "{count} sur {name}, note moyenne {avg} sur 5.",
      "{count} zu {name}, im Schnitt {avg} von 5 Sternen.",
      "{count} sobre {name}, valoración media de {avg} sobre 5.",
      "{count} de {name}, nota média {avg} de 5."}},
    {"date_long",
     {"{month} {day}, {year}", "{day} {month} {year}", "{day}. {month} {year}",
      "{day} de {month} de {year}", "{day} de {month} de {year}"}},
    {"months",
     {"January,February,March,April,May,June,July,August,September,October,November,December",
      "janvier,février,mars,avril,mai,juin,juillet,août,septembre,octobre,novembre,décembre",
      "Januar,Februar,März,April,Mai,Juni,Juli,August,September,Oktober,November,Dezember",
      "enero,febrero,marzo,abril,mayo,junio,julio,agosto,septiembre,octubre,noviembre,diciembre",
      "janeiro,fevereiro,março,abril,maio,junho,julho,agosto,setembro,outubro,novembro,dezembro"}},
    /* Number separators: 1,234.5 / 1 234,5 (U+202F) / 1.234,5. */
    {"decimal_sep", {".", ",", ",", ",", ","}},
    {"group_sep", {",", "\xe2\x80\xaf", ".", ".", "."}},
};

#define N_TEXTS (sizeof(texts) / sizeof(texts[0]))

static int lang_index(const char *lang)
{
    for (int i = 0; lang && i < N_LANGS; i++)
        if (strcmp(lang, langs[i]) == 0)
            return i;
    return EN;
}

const char *feed_lang(const char *want)
{
    /* An Accept-Language list is walked in order ("zh-CN, fr;q=0.9" is
     * French); a single tag is a list of one. Quality values are not
     * weighed: browsers list languages in order of preference. */
    while (want && *want) {
        char primary[4];
        size_t n = 0;

        while (*want == ' ' || *want == '\t' || *want == ',')
            want++;
        /* The primary subtag: "pt" of "pt-BR", "de" of "de_AT". */
        while (n < 3 && isalpha((unsigned char)want[n])) {
            primary[n] = (char)tolower((unsigned char)want[n]);
            n++;
        }
        if (n == 2 && !isalpha((unsigned char)want[n])) {
            primary[n] = '\0';
            for (int i = 0; i < N_LANGS; i++)
                if (strcmp(primary, langs[i]) == 0)
                    return langs[i];
        }
        want = strchr(want, ',');
    }
    return langs[EN];
}

const char *feed_text(const char *lang, const char *key)
{
    int li = lang_index(lang);

    for (size_t i = 0; key && i < N_TEXTS; i++)
        if (strcmp(texts[i].key, key) == 0)
            return texts[i].t[li] ? texts[i].t[li] : texts[i].t[EN];
    return NULL;
}

int feed_i18n_json(struct buf *b)
{
    int rc = buf_putc(b, '{');

    for (int li = 0; rc == 0 && li < N_LANGS; li++) {
        rc = buf_printf(b, "%s\"%s\":{", li ? "," : "", langs[li]);
        for (size_t i = 0; rc == 0 && i < N_TEXTS; i++) {
            const char *t = texts[i].t[li] ? texts[i].t[li] : texts[i].t[EN];

            rc = buf_printf(b, "%s\"%s\":", i ? "," : "", texts[i].key);
            if (rc == 0)
                rc = chorus_json_str(b, t, strlen(t));
        }
        if (rc == 0)
            rc = buf_putc(b, '}');
    }
    return rc ? rc : buf_putc(b, '}');
}
